import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyReply, FastifyRequest } from 'fastify';
import { hubError, toOpenAIErrorBody, type HubError } from '@llm-connector-hub/core';
import { REQUEST_ID_HEADER } from './headers';

/** The exchange last started on each socket, so a connection-level error can tell whether its request was answered. */
const exchanges = new WeakMap<Socket, { request: IncomingMessage; response: ServerResponse }>();

/** Remembers the request now being served on its socket (an onRequest hook). */
export function trackExchange(request: FastifyRequest, reply: FastifyReply): void {
  exchanges.set(request.raw.socket, { request: request.raw, response: reply.raw });
}

/**
 * Fastify's `clientErrorHandler`: what Node's HTTP parser and its request timers refuse before
 * there is a request to route (headers or body not received within server.headersTimeoutMs /
 * server.requestTimeoutMs, malformed HTTP, headers too large). Answered in OpenAI's shape with
 * an x-request-id, like every other error, instead of Fastify's own shape; then the socket is
 * closed. A request that was already answered (a 413 whose body is still arriving) is only closed.
 */
export function answerClientError(error: ConnectionError, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const exchange = exchanges.get(socket);
  if (!socket.writable || (exchange && !exchange.request.complete && exchange.response.headersSent)) {
    socket.destroy();
    return;
  }
  const failure = connectionFailure(error.code);
  const body = JSON.stringify(toOpenAIErrorBody(failure));
  const head = [
    `HTTP/1.1 ${failure.status} ${STATUS_CODES[failure.status]}`,
    'content-type: application/json; charset=utf-8',
    `content-length: ${Buffer.byteLength(body)}`,
    `${REQUEST_ID_HEADER}: ${randomUUID()}`,
    'connection: close',
  ];
  socket.end(`${head.join('\r\n')}\r\n\r\n${body}`, () => socket.destroy());
}

function connectionFailure(code: string | undefined): HubError {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return hubError('request_timeout');
  if (code === 'HPE_HEADER_OVERFLOW') return hubError('headers_too_large');
  return hubError('malformed_request');
}
