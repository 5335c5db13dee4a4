export * from './translator';
export * from './http-transport';
export * from './http-chat.provider';
export * from './retry-after';
export * from './redact';
export * from './upstream-pool';
export * from './stream-format';
export * from './tool-arguments';
