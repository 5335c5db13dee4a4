import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HubError, isHubError, toOpenAIErrorBody } from '@llm-connector-hub/core';

/** An error's body in a route's dialect (OpenAI's shape by default). */
export type ErrorBody = (error: HubError, request: FastifyRequest) => unknown;
const openAIErrorBody: ErrorBody = (error) => toOpenAIErrorBody(error);
import { retryHeaders } from './retry-headers';
import { toHubError } from './to-hub-error';
import { PROVIDER_HEADER, headerValue } from './headers';

/**
 * Every error leaves the gateway in OpenAI's shape with the right status. Unknown errors are
 * logged with the request id and answered as a generic 500 that reveals no internals.
 */
@Catch()
export class OpenAIExceptionFilter implements ExceptionFilter {
  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    answerError(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }
}

const logger = new Logger('Errors');

/**
 * The one error mapping, for Nest's routes (the filter above) and the model routes (their Fastify
 * error handler, which may give its dialect's body: the status and headers stay the same).
 */
export function answerError(exception: unknown, request: FastifyRequest, reply: FastifyReply, body: ErrorBody = openAIErrorBody): void {
  const error = toHubError(exception, request);
  if (error.status >= 500 && !isHubError(exception)) logger.error(`request ${request.id} failed: ${describe(exception)}`);
  sendError(reply, error, body);
}

export function sendError(reply: FastifyReply, error: HubError, body: ErrorBody = openAIErrorBody): void {
  if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
  // Fastify closes the connection after a body error; with the body still arriving, the close
  // resets it and the client may never read the 413. Keeping it open lets Node read the rest
  // and discard it (bounded by server.requestTimeoutMs), so the 413 arrives intact.
  if (error.status === 413) reply.removeHeader('connection');
  reply.headers(retryHeaders(error, reply.request.hubMeta));
  if (error.provider) reply.header(PROVIDER_HEADER, headerValue(error.provider));
  void reply.code(error.status).send(body(error, reply.request));
}

function describe(exception: unknown): string {
  if (exception instanceof HttpException) return `${exception.getStatus()} ${exception.message}`;
  if (exception instanceof Error) return exception.stack ?? exception.message;
  return String(exception);
}
