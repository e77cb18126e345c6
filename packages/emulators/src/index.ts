export * from './userpool/index.ts';
export * from './entra/index.ts';
export * from './tls/index.ts';
