export * from './hub-error';
export * from './hub-errors';
export * from './echo';
