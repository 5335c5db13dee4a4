import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { HubError, isHubError, toOpenAIErrorBody } from '@llm-connector-hub/core';
import { retryHeaders } from './retry-headers';
import { toHubError } from './to-hub-error';

/**
 * Every error leaves the gateway in OpenAI's shape with the right status. Unknown errors are
 * logged with the request id and answered as a generic 500 that reveals no internals.
 */
@Catch()
export class OpenAIExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const request = http.getRequest<FastifyRequest>();
    const error = toHubError(exception, request);
    if (error.status >= 500 && !isHubError(exception)) {
      this.logger.error(`request ${request.id} failed: ${describe(exception)}`);
    }
    sendError(reply, error);
  }
}

export function sendError(reply: FastifyReply, error: HubError): void {
  if (reply.sent || reply.raw.headersSent || reply.raw.destroyed) return;
  reply.headers(retryHeaders(error, reply.request.hubMeta));
  if (error.provider) reply.header('x-llm-hub-provider', error.provider);
  void reply.code(error.status).send(toOpenAIErrorBody(error));
}

function describe(exception: unknown): string {
  if (exception instanceof HttpException) return `${exception.getStatus()} ${exception.message}`;
  if (exception instanceof Error) return exception.stack ?? exception.message;
  return String(exception);
}
