export * from './key-provider.ts';
export * from './local-key-provider.ts';
export * from './data-key.ts';
export * from './envelope-secret-box.ts';
export * from './rotate-master-key.ts';
export * from './key-configuration.ts';
