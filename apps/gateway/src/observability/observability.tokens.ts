/** The process's pino logger (see root-logger.ts). */
export const ROOT_LOGGER = Symbol('ROOT_LOGGER');
/** The stream the root logger writes to (see root-logger.ts): the request observer's lines go there too. */
export const LOG_DESTINATION = Symbol('LOG_DESTINATION');
