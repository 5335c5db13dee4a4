/** The process's pino logger (see root-logger.ts). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
