export * from './store.ts';
export * from './memory.ts';
export { SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.ts';
export { PostgresStore, type PostgresStoreOptions } from './postgres/postgres-store.ts';
export { openStore, type OpenStoreOptions } from './open.ts';
export { compareIds, prefixUpperBound, MAX_PAYLOAD_BYTES } from './keys.ts';
