export * from './resilience-options';
export * from './resilience-events';
export * from './resilience-errors';
