export * from './llm-provider';
export * from './upstream-limits';
export * from './upstream-concurrency';
