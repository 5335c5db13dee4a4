export * from './request.schema';
export * from './to-chat-request';
export * from './message';
export * from './stream-encoder';
export * from './errors';
export * from './count-tokens';
