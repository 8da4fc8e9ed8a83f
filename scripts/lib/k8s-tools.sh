# Sourced: the tools of the offline Kubernetes packaging checks (deploy/test/validate.test.ts), at the
# pinned versions below, once, into .tools/:
#   bin/helm, bin/kubeconform, bin/kube-score   built with `go install`
#   k8s-schemas/kubernetes/v<K8S_SCHEMA_VERSION>-local{,-strict}/   the Kubernetes JSON schemas of the
#       PyPI package kubernetes-validate, made self-contained (their $id and $ref point at kubernetes.io)
#   k8s-schemas/crds/<group>/<kind>_<version>.json   the custom resources' JSON schemas, converted by
#       deploy/scripts/crd-schemas.ts from the CRDs each project ships in its Go module (Strimzi: made by
#       Strimzi's own CRD generator, from Maven Central)
#
#   ensure_k8s_tools   installs what is missing or at another version; returns at once when all is in place
# It needs Go, Python 3 with pip, a JDK with Maven, and Node with the workspace installed (the converter
# imports `yaml`). Then: PATH="$K8S_TOOLS_BIN:$PATH" K8S_SCHEMAS="$K8S_SCHEMAS".
K8S_TOOLS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
K8S_TOOLS_BIN="$K8S_TOOLS_ROOT/.tools/bin"
K8S_SCHEMAS="$K8S_TOOLS_ROOT/.tools/k8s-schemas"

# name, main package, version: the newest releases the Go module proxy serves that build with Go 1.26.
# Helm 4 because Argo CD 3.5, which renders these charts in the cluster, runs Helm 4 (its
# hack/tool-versions.sh). kube-score stands in for kube-linter, which the proxy does not serve.
K8S_GO_TOOLS=(
  "helm helm.sh/helm/v4/cmd/helm v4.3.1"
  "kubeconform github.com/yannh/kubeconform/cmd/kubeconform v0.8.0"
  "kube-score github.com/zegl/kube-score/cmd/kube-score v1.20.0"
)
KUBERNETES_VALIDATE_VERSION=1.37.0
# The oldest Kubernetes the charts support: fields newer than it fail validation.
K8S_SCHEMA_VERSION=1.33.0
# module@version, folder of its CRDs. Each is the newest release whose go.mod asks no newer Go than
# 1.26.8 (argo-cd 3.6, argo-rollouts 1.10.2 and gateway-api 1.7 ask for more; prometheus-operator
# v0.85.0 is the only version of its main module that the proxy serves).
K8S_CRD_SOURCES=(
  "github.com/kedacore/keda/v2@v2.21.0 config/crd/bases"
  "github.com/cert-manager/cert-manager@v1.21.2 deploy/crds"
  "github.com/argoproj/argo-cd/v3@v3.5.7 manifests/crds"
  "github.com/argoproj/argo-rollouts@v1.10.1 manifests/crds"
  "github.com/prometheus-operator/prometheus-operator@v0.85.0 example/prometheus-operator-crd"
  "sigs.k8s.io/gateway-api@v1.6.3 config/crd/standard"
)
# Strimzi publishes no CRD YAML as an artifact, but its api classes and CRD generator are on Maven
# Central. crd-generator is there for a few releases only (0.45.0, 1.2.0), and Strimzi 1.x no longer
# serves kafka.strimzi.io/v1beta2, which the charts use.
STRIMZI_VERSION=0.45.0

ensure_k8s_tools() {
  _k8s_go_tools && _k8s_schemas && _k8s_crd_schemas
}

_k8s_elapsed() { echo "$(($(date +%s) - $1)) s"; }

_k8s_go_tools() {
  local line name pkg version stamp started
  for line in "${K8S_GO_TOOLS[@]}"; do
    read -r name pkg version <<<"$line"
    stamp="$K8S_TOOLS_BIN/.$name-version"
    [ -x "$K8S_TOOLS_BIN/$name" ] && [ "$(cat "$stamp" 2>/dev/null)" = "$version" ] && continue
    command -v go >/dev/null 2>&1 || {
      echo "error: Go is missing; it builds $name for the Kubernetes packaging checks. Install Go 1.26 or newer." >&2
      return 1
    }
    echo "k8s-tools: building $name $version with go install" >&2
    started=$(date +%s)
    mkdir -p "$K8S_TOOLS_BIN"
    GOBIN="$K8S_TOOLS_BIN" GOFLAGS=-buildvcs=false go install "$pkg@$version" >&2 || return 1
    echo "$version" >"$stamp"
    echo "k8s-tools: built $name $version in $(_k8s_elapsed "$started")" >&2
  done
}

_k8s_schemas() {
  local dir="$K8S_SCHEMAS/kubernetes" want="kubernetes-validate $KUBERNETES_VALIDATE_VERSION, Kubernetes $K8S_SCHEMA_VERSION"
  [ "$(cat "$dir/.version" 2>/dev/null)" = "$want" ] && return 0
  echo "k8s-tools: fetching the Kubernetes $K8S_SCHEMA_VERSION schemas (PyPI kubernetes-validate $KUBERNETES_VALIDATE_VERSION)" >&2
  local started wheel_dir
  started=$(date +%s)
  wheel_dir=$(mktemp -d)
  python3 -m pip download --quiet --no-deps --only-binary=:all: --dest "$wheel_dir" \
    "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" >&2 || return 1
  rm -rf "${dir:?}"
  # The package's schemas say $id https://kubernetes.io/api/<kind>/... and $ref /api/_definitions.json,
  # which a validator resolves on the network: drop the ids and make the refs relative to the file.
  python3 - "$wheel_dir"/*.whl "$K8S_SCHEMA_VERSION" "$dir" <<'PY' || return 1
import json, os, sys, zipfile

wheel, version, out = sys.argv[1:4]

def local(node):
    if isinstance(node, dict):
        node.pop("$id", None)
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("/api/"):
            node["$ref"] = ref[len("/api/"):]
        for value in node.values():
            local(value)
    elif isinstance(node, list):
        for value in node:
            local(value)

with zipfile.ZipFile(wheel) as z:
    for flavour in ("local", "local-strict"):
        prefix = f"kubernetes_validate/kubernetes-json-schema/v{version}-{flavour}/"
        names = [n for n in z.namelist() if n.startswith(prefix) and n.endswith(".json")]
        if not names:
            sys.exit(f"error: {os.path.basename(wheel)} has no schemas for Kubernetes {version}")
        dest = os.path.join(out, f"v{version}-{flavour}")
        os.makedirs(dest)
        for name in names:
            schema = json.loads(z.read(name))
            local(schema)
            with open(os.path.join(dest, os.path.basename(name)), "w") as f:
                json.dump(schema, f)
PY
  rm -rf "${wheel_dir:?}"
  echo "$want" >"$dir/.version"
  echo "k8s-tools: Kubernetes schemas ready in $(_k8s_elapsed "$started")" >&2
}

_k8s_crd_schemas() {
  local dir="$K8S_SCHEMAS/crds"
  local want="${K8S_CRD_SOURCES[*]} strimzi $STRIMZI_VERSION $(sha256sum "$K8S_TOOLS_ROOT/deploy/scripts/crd-schemas.ts" | cut -d' ' -f1)"
  [ "$(cat "$dir/.version" 2>/dev/null)" = "$want" ] && return 0
  echo "k8s-tools: fetching CRDs (go mod download, Maven) and converting them to JSON schemas" >&2
  local started line module folder module_dir sources=()
  started=$(date +%s)
  for line in "${K8S_CRD_SOURCES[@]}"; do
    read -r module folder <<<"$line"
    module_dir=$(go mod download -json "$module" | node -e \
      'let s="";process.stdin.on("data",(d)=>{s+=d}).on("end",()=>{const m=JSON.parse(s);if(m.Error||!m.Dir){console.error(m.Error);process.exit(1)}console.log(m.Dir)})') ||
      return 1
    sources+=("$module_dir/$folder")
  done
  local strimzi="$K8S_TOOLS_ROOT/.tools/strimzi-crds"
  _k8s_strimzi_crd "$strimzi" || return 1
  sources+=("$strimzi/kafkatopic.yaml")
  rm -rf "${dir:?}"
  node "$K8S_TOOLS_ROOT/deploy/scripts/crd-schemas.ts" "$dir" "${sources[@]}" >&2 || return 1
  echo "$want" >"$dir/.version"
  echo "k8s-tools: CRD schemas ready in $(_k8s_elapsed "$started")" >&2
}

# Strimzi's KafkaTopic CRD, made as its release makes it (api/pom.xml): its CRD generator run on its api classes.
_k8s_strimzi_crd() {
  local dir="$1"
  mkdir -p "$dir"
  cat >"$dir/pom.xml" <<POM
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>local.catalog-platform</groupId>
  <artifactId>strimzi-crds</artifactId>
  <version>0</version>
  <dependencies>
    <dependency><groupId>io.strimzi</groupId><artifactId>api</artifactId><version>$STRIMZI_VERSION</version></dependency>
    <dependency><groupId>io.strimzi</groupId><artifactId>crd-generator</artifactId><version>$STRIMZI_VERSION</version></dependency>
  </dependencies>
</project>
POM
  mvn -q -B -f "$dir/pom.xml" dependency:build-classpath -Dmdep.outputFile="$dir/classpath.txt" >"$dir/maven.log" 2>&1 || {
    cat "$dir/maven.log" >&2
    return 1
  }
  java -cp "$(cat "$dir/classpath.txt")" io.strimzi.crdgenerator.CrdGenerator --label app:strimzi --target-kube 1.16+ \
    --crd-api-version v1 --api-versions v1alpha1,v1beta1,v1beta2 --storage-version v1beta2 \
    --yaml "io.strimzi.api.kafka.model.topic.KafkaTopic=$dir/kafkatopic.yaml" >"$dir/generator.log" 2>&1 &&
    [ -s "$dir/kafkatopic.yaml" ] || {
    cat "$dir/generator.log" >&2
    return 1
  }
}
