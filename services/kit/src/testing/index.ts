export { type TestCerts, testCerts } from './certs.ts'
export { testDatabase } from './database.ts'
export { silentLogger } from './logger.ts'
export { logged, type ServiceProcess, startServiceProcess } from './service-process.ts'
