export * from './llm-provider';
export * from './upstream-limits';
