export * from './mock.provider';
export * from './mock.options';
