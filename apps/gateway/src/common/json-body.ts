import type { FastifyInstance } from 'fastify';
import { HubErrors } from '@llm-connector-hub/core';

/**
 * Deepest nesting of arrays and objects a request body may have. JSON.parse copes with any
 * depth, but what runs after it does not: a recursive stringify (the cache key) overflows the
 * stack on a body nested 100,000 deep. Tool JSON Schemas, the deepest thing a real request
 * carries, stay far below this.
 */
export const MAX_JSON_DEPTH = 64;

/**
 * Fastify's own JSON parser (prototype-poisoning checks included), then a depth check, so an
 * over-deep body is a 400 before any handler sees it.
 */
export function installJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body: string, done) => {
    void parse(request, body, (error, value) => {
      if (error) return done(error, undefined);
      if (deeperThan(value, MAX_JSON_DEPTH)) {
        return done(HubErrors.invalidRequest(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`, null, 'invalid_body'), undefined);
      }
      done(null, value);
    });
  });
}

/** Whether any array or object in `value` sits more than `limit` levels down. Iterative: no recursion to overflow. */
export function deeperThan(value: unknown, limit: number): boolean {
  const stack: Array<[unknown, number]> = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth > limit) return true;
    for (const child of Array.isArray(node) ? node : Object.values(node)) {
      if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
    }
  }
  return false;
}
