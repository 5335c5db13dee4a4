export * from './hub-error';
export * from './error-catalogue';
export * from './catalogue-error';
export * from './hub-errors';
export * from './echo';
