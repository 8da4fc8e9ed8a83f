// The test node's launcher (scripts/lib/opensearch.sh compiles it once and runs it): one OpenSearch
// node whose plugins (HTTP and transport over Netty, analysis-common, painless) are classes on the
// classpath, as the OpenSearch test framework starts its nodes. It skips the distribution's
// bootstrap, whose refusal to run as root, security manager and modules/ folder layout a test
// server does not need (the reasons are in scripts/lib/opensearch.sh).
//
//   java -cp 'LIBS/*:CLASSES' LocalNode HOME    reads HOME/config/opensearch.yml and
//                                               log4j2.properties; SIGTERM closes the node.
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.opensearch.analysis.common.CommonAnalysisPlugin;
import org.opensearch.common.logging.LogConfigurator;
import org.opensearch.common.settings.Settings;
import org.opensearch.env.Environment;
import org.opensearch.node.InternalSettingsPreparer;
import org.opensearch.node.Node;
import org.opensearch.painless.PainlessPlugin;
import org.opensearch.transport.Netty4Plugin;

public final class LocalNode extends Node {
  private LocalNode(Environment environment) {
    super(environment, List.of(Netty4Plugin.class, PainlessPlugin.class, CommonAnalysisPlugin.class), true);
  }

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: LocalNode HOME");
      System.exit(2);
    }
    Path home = Path.of(args[0]).toAbsolutePath();
    Environment environment = InternalSettingsPreparer.prepareEnvironment(
      Settings.builder().put("path.home", home.toString()).build(),
      Map.of(),
      home.resolve("config"),
      () -> "local"
    );
    LogConfigurator.registerErrorListener();
    LogConfigurator.setNodeName(Node.NODE_NAME_SETTING.get(environment.settings()));
    LogConfigurator.configure(environment);
    LocalNode node = new LocalNode(environment);
    CountDownLatch closed = new CountDownLatch(1);
    // SIGTERM (and SIGINT) run this: the node closes its shards and sockets before the JVM exits.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        node.close();
        node.awaitClose(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        e.printStackTrace();
      } finally {
        closed.countDown();
      }
    }, "local-node-shutdown"));
    try {
      node.start();
    } catch (Exception e) {
      e.printStackTrace();
      System.exit(1);
    }
    // The node's threads are daemons: this one keeps the JVM alive until the shutdown hook ran.
    closed.await();
  }
}
