export * from './azure-openai.provider';
