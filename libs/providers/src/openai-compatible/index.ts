export * from './openai-compatible.provider';
export * from './openai-compatible.plugin';
