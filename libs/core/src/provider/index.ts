export * from './llm-provider';
export * from './upstream-concurrency';
