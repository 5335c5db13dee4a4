export * from './azure-openai.provider';
export * from './azure-openai.plugin';
