export * from './openai-compatible.provider';
