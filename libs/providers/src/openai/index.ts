export * from './openai.provider';
export * from './openai.translator';
export * from './openai.request';
export * from './openai.response';
export * from './openai.stream';
export * from './openai.errors';
export * from './openai.plugin';
