/** Injection token of the validated GatewayConfig (loaded once in main.ts, before Nest starts). */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
