export * from './chat-request';
export * from './chat-response';
export * from './embeddings';
export * from './ids';
export * from './model-name';
