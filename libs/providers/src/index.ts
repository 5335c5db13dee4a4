export * from './shared';
export * from './openai';
export * from './azure-openai';
export * from './openai-compatible';
export * from './anthropic';
export * from './google';
export * from './mock';
