export { type TestCerts, testCerts } from './certs.ts'
export { testDatabase } from './database.ts'
export { silentLogger } from './logger.ts'
