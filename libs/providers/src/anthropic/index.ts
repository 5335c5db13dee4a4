export * from './anthropic.provider';
export * from './anthropic.translator';
export * from './anthropic.request';
export * from './anthropic.response';
export * from './anthropic.response-format';
export * from './anthropic.stream';
export * from './anthropic.errors';
export type * from './anthropic.wire';
export * from './anthropic.plugin';
