export * from './request.schema';
export * from './response';
export * from './stored-response';
export * from './stream';
export * from './to-chat';
