export * from './mock.provider';
export * from './mock.options';
export * from './mock.plugin';
