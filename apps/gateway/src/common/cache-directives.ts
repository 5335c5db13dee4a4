import type { FastifyRequest } from 'fastify';
import type { CacheDirectives } from '@llm-connector-hub/hub';
import { HubErrors } from '@llm-connector-hub/core';
import { CACHE_TTL_HEADER } from './headers';

const DIGITS = /^\d{1,9}$/;
const NONE: CacheDirectives = Object.freeze({});

/**
 * The caller's cache directives from HTTP: `Cache-Control: no-cache` (do not answer from the
 * cache; the fresh answer is stored), `no-store` (do not store it), both accepted in any case
 * and among other directives (RFC 9111 §5.2), and `x-llm-hub-cache-ttl` (seconds to keep this
 * answer). A malformed TTL is a 400, not ignored.
 */
export function cacheDirectives(request: FastifyRequest): CacheDirectives {
  const control = request.headers['cache-control'];
  const ttlHeader = request.headers[CACHE_TTL_HEADER];
  if (control === undefined && ttlHeader === undefined) return NONE;
  const directives: CacheDirectives = {};
  if (control !== undefined) {
    for (const part of String(control).toLowerCase().split(',')) {
      const directive = part.trim();
      if (directive === 'no-cache') directives.noCache = true;
      else if (directive === 'no-store') directives.noStore = true;
    }
  }
  if (ttlHeader !== undefined) {
    const value = Array.isArray(ttlHeader) ? ttlHeader[0] : ttlHeader;
    if (!DIGITS.test(value) || Number(value) < 1) {
      throw HubErrors.invalidRequest(`The ${CACHE_TTL_HEADER} header must be a positive whole number of seconds.`, CACHE_TTL_HEADER, 'invalid_value');
    }
    directives.ttlSeconds = Number(value);
  }
  return directives;
}
