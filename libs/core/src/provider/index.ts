export * from './llm-provider';
