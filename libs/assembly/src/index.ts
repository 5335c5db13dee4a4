export * from './provider-entries';
export * from './hub-config';
export * from './create-hub';
export * from './response-cache';
export * from './resilience-pipeline';
