export { ensureLocalTls, trustCa, DEFAULT_TLS_HOSTS, type LocalTls } from './local-ca.ts';
export { createCa, createServerCert, createRsaCert, thumbprints, type PemPair } from './certificates.ts';
