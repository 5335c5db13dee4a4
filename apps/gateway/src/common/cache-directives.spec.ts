import type { FastifyRequest } from 'fastify';
import { HubError } from '@llm-connector-hub/core';
import { cacheDirectives } from './cache-directives';

const withHeaders = (headers: Record<string, string>) => cacheDirectives({ headers } as unknown as FastifyRequest);

describe('cacheDirectives', () => {
  it('reads no-cache, no-store and max-age among other directives, in any case', () => {
    expect(withHeaders({ 'cache-control': 'No-Cache, private, MAX-AGE=60, no-store' })).toEqual({ noCache: true, noStore: true, maxAgeSeconds: 60 });
    expect(withHeaders({ 'cache-control': 'max-age=0' })).toEqual({ maxAgeSeconds: 0 });
    expect(withHeaders({ 'cache-control': 'max-age="120"' })).toEqual({ maxAgeSeconds: 120 });
  });

  it('ignores directives that say nothing to this cache', () => {
    expect(withHeaders({ 'cache-control': 'max-stale, only-if-cached' })).toEqual({});
    expect(withHeaders({})).toEqual({});
  });

  it('refuses a malformed max-age with a 400 naming the header, instead of guessing', () => {
    for (const value of ['max-age=', 'max-age=-1', 'max-age=1.5', 'max-age=abc', 'max-age=9999999999']) {
      let error: unknown;
      try {
        withHeaders({ 'cache-control': value });
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ status: 400, code: 'invalid_value', param: 'cache-control' });
    }
  });

  it('reads x-llm-hub-cache-ttl', () => {
    expect(withHeaders({ 'x-llm-hub-cache-ttl': '30' })).toEqual({ ttlSeconds: 30 });
  });
});
