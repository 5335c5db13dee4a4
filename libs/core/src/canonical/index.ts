export * from './chat-request';
export * from './chat-request.schema';
export * from './chat-response';
export * from './embeddings';
export * from './embeddings.schema';
export * from './ids';
export * from './model-name';
export * from './native-request';
