import type { FastifyRequest } from 'fastify';
import type { CacheDirectives } from '@llm-connector-hub/hub';
import { HubErrors } from '@llm-connector-hub/core';
import { CACHE_TTL_HEADER } from './headers';

const DIGITS = /^\d{1,9}$/;
const NONE: CacheDirectives = Object.freeze({});
const MAX_AGE = 'max-age=';

/**
 * The caller's cache directives from HTTP: `Cache-Control: no-cache` (do not answer from the
 * cache; the fresh answer is stored), `no-store` (do not store it), `max-age=N` (a stored answer
 * younger than N seconds will do; opts a sampled request into the cache), all accepted in any
 * case and among other directives (RFC 9111 §5.2), and `x-llm-hub-cache-ttl` (seconds to keep
 * this answer; opts in too). A malformed TTL or max-age is a 400, not ignored: ignoring it would
 * silently answer a request its caller meant to cache, or not.
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
      else if (directive.startsWith(MAX_AGE)) directives.maxAgeSeconds = maxAge(directive.slice(MAX_AGE.length));
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

/** RFC 9111 §1.2.2 delta-seconds; the quoted form is accepted too, as §5.2 asks of recipients. */
function maxAge(value: string): number {
  const digits = value.startsWith('"') && value.endsWith('"') && value.length > 1 ? value.slice(1, -1) : value;
  if (!DIGITS.test(digits)) {
    throw HubErrors.invalidRequest('The Cache-Control max-age directive must be a whole number of seconds.', 'cache-control', 'invalid_value');
  }
  return Number(digits);
}
