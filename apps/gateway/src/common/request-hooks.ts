import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HubErrors, hubError } from '@llm-connector-hub/core';
import { REQUEST_ID_HEADER } from './headers';
import { sendError } from './openai-exception.filter';
import { GatewayErrors } from './gateway-errors';
import { trackExchange } from './client-errors';
import { installJsonBodyParser } from './json-body';

/**
 * Every response carries the request id, errors included. Only JSON bodies are accepted:
 * Fastify would otherwise parse text/plain into a string; and not too deeply nested ones. (Fastify's own body-parsing errors
 * reach OpenAIExceptionFilter through Nest, which maps them by status.)
 */
export function installRequestHooks(fastify: FastifyInstance): void {
  fastify.removeContentTypeParser('text/plain');
  installJsonBodyParser(fastify);
  fastify.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    trackExchange(request, reply);
    done();
  });
}

/**
 * Fastify's `frameworkErrors`: what its router refuses before any hook or Nest runs (a URL whose
 * percent-encoding is malformed, an over-long path parameter), answered like every other error:
 * OpenAI's shape, x-request-id, no echo of the URL.
 */
export function answerFrameworkError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  reply.header(REQUEST_ID_HEADER, request.id);
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    sendError(reply, hubError('uri_too_long'));
  } else if (error.code === 'FST_ERR_BAD_URL') {
    sendError(reply, HubErrors.invalidUrl());
  } else {
    sendError(reply, GatewayErrors.internal());
  }
}
