export * from './userpool/index.ts';
