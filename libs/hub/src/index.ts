export * from './connector-hub';
export * from './hub-context';
export * from './hub-middleware';
export * from './hub-request';
export * from './hub-results';
export * from './model-router';
export * from './pipeline';
export * from './deadline';
