import type { Logger } from 'pino';

export type LogFn = (level: 'debug' | 'info' | 'warn' | 'error', msg: string, extra?: object) => void;

/** A (level, message, fields) function over the pino logger, for code that should not know pino. */
export function logFunction(logger: Logger): LogFn {
  return (level, msg, extra = {}) => logger[level](extra, msg);
}
