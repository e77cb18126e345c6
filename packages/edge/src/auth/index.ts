export * from './access-keys.ts';
export * from './parse-authorization.ts';
export * from './replay-cache.ts';
export * from './sigv4-authenticator.ts';
export * from './sigv4-errors.ts';
export * from './amz-date.ts';
export * from './model.ts';
