import type { FastifyInstance } from 'fastify';
import { REQUEST_ID_HEADER } from './headers';

/**
 * Every response carries the request id, errors included. Only JSON bodies are accepted:
 * Fastify would otherwise parse text/plain into a string. (Fastify's own body-parsing errors
 * reach OpenAIExceptionFilter through Nest, which maps them by status.)
 */
export function installRequestHooks(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('text/plain');
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    done();
  });
}
