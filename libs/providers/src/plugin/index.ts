export * from './provider-plugin';
export * from './entry-fields';
