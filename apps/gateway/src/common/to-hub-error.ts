import { HttpException } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HubErrors, hubError, isHubError, type HubError } from '@llm-connector-hub/core';
import { GatewayErrors } from './gateway-errors';

/**
 * Maps whatever was thrown (our HubErrors, Fastify's body-parsing errors, Nest's HTTP
 * exceptions) to a HubError. Fastify's codes are stable strings, so we map those rather than
 * parse messages.
 */
export function toHubError(exception: unknown, request: FastifyRequest, bodyLimit?: number): HubError {
  if (isHubError(exception)) return exception;
  const fastifyCode = (exception as { code?: unknown })?.code;
  switch (fastifyCode) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return fastifyCode === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
        ? HubErrors.unsupportedMediaType(request.headers['content-type'])
        : HubErrors.invalidRequest('The Content-Length header does not match the body.', null, 'invalid_body');
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return HubErrors.payloadTooLarge(bodyLimit ?? request.server.initialConfig.bodyLimit ?? 0);
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return HubErrors.invalidRequest('The request body is empty; send a JSON object.', null, 'invalid_body');
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      // Fastify's message only repeats that the body is not JSON: nothing to add.
      return HubErrors.invalidRequest('The request body is not valid JSON.', null, 'invalid_body');
    default:
      break;
  }
  if (exception instanceof SyntaxError) {
    return HubErrors.invalidRequest(`The request body is not valid JSON: ${exception.message}`, null, 'invalid_body');
  }
  const status = (exception as { statusCode?: unknown })?.statusCode;
  if (exception instanceof HttpException || typeof status === 'number') {
    const code = exception instanceof HttpException ? exception.getStatus() : (status as number);
    if (code === 404) return HubErrors.routeNotFound(request.method, request.url.split('?')[0]);
    // Nest turns Fastify's body-parsing errors into HttpExceptions that keep only status and
    // message; the status is enough to give them their precise OpenAI error.
    if (code === 415) return HubErrors.unsupportedMediaType(request.headers['content-type']);
    if (code === 413) return HubErrors.payloadTooLarge(bodyLimit ?? request.server.initialConfig.bodyLimit ?? 0);
    if (code === 400) return HubErrors.invalidRequest(`Invalid request body: ${(exception as Error).message}.`, null, 'invalid_body');
    if (code === 405) return hubError('method_not_allowed', { detail: `Method ${request.method} is not allowed here.` });
    if (code >= 400 && code < 500) return hubError('request_refused', { detail: (exception as Error).message }, { status: code });
  }
  return GatewayErrors.internal();
}
