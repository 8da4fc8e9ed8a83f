/** TLS: certificate files read, watched and reloaded, and the credentials gRPC uses. */
export { identityOf, readTlsFiles, type TlsFiles, type TlsPaths } from './tls.ts'
export { channelCredentials, onTlsReloadRejected, type RejectedListener, serverCredentials } from './tls-credentials.ts'
