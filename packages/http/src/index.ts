export * from './router.ts';
export * from './body.ts';
export * from './respond.ts';
export * from './aws-errors.ts';
export * from './server.ts';
