export { createGatewayRouter, type GatewayHandle } from './router.ts';
export type { GatewayOptions } from './env.ts';
export { gatewayCollections } from './model.ts';
export { gatewayUrl } from './views.ts';
