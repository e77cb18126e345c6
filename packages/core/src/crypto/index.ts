export * from './aead.ts';
export * from './aad.ts';
export * from './util.ts';
export type * from './secret-box.ts';
