export { type TestCerts, testCerts } from './certs.ts'
export { checkCallerPolicy, clientsOf } from './clients.ts'
export { testDatabase } from './database.ts'
export {
  grantPlatformAcls,
  readDeadLetters,
  startAtEnd,
  type TestKafkaPrincipal,
  testKafka,
  testKafkaCredentials,
  testKafkaEnv,
} from './kafka.ts'
export { silentLogger } from './logger.ts'
export { pollUntil } from './poll.ts'
export { freePort } from './ports.ts'
export { reflectionStatus } from './reflection.ts'
export { listenForTest, type TestServiceBase, testServiceBase } from './service.ts'
export { logged, type ServiceMain, type ServiceProcess, startServiceMain, startServiceProcess } from './service-process.ts'
export { startStubService } from './stub-service.ts'
