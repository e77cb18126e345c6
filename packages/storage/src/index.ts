export * from './store.ts';
export * from './memory.ts';
