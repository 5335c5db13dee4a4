import type { FastifyRequest } from 'fastify';

/**
 * The body as Fastify's JSON parser made it, before the route's schema replaced it with its output
 * (zod rebuilds objects: the client's key order is lost). A route that passes the client's own
 * request through (a native request, docs/architecture.md "Native pass-through") sends this one.
 * Kept only for routes that ask (ModelRoute.keepsReceivedBody), and only as long as the request lives.
 */
const received = new WeakMap<FastifyRequest, unknown>();

export function keepReceivedBody(request: FastifyRequest): void {
  received.set(request, request.body);
}

export function receivedBody(request: FastifyRequest): unknown {
  return received.get(request);
}
