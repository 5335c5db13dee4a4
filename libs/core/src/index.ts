export * from './canonical';
export * from './errors';
export * from './sse';
export * from './provider';
export * from './events/event-channel';
