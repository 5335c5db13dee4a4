export * from './mistral.provider';
export * from './mistral.translator';
export * from './mistral.request';
export * from './mistral.response';
export * from './mistral.stream';
export * from './mistral.errors';
export * from './mistral.plugin';
export type * from './mistral.wire';
