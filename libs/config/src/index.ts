export * from './config.schema';
export * from './load-config';
export * from './env-providers';
export * from './default-models';
export * from './mask-secrets';
