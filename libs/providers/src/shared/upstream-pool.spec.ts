import { createServer as createHttp2Server, type Http2Server } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { DEFAULT_UPSTREAM_CONCURRENCY } from '@llm-connector-hub/core';
import { Pool } from 'undici';
import { poolCapacityOptions } from './upstream-pool';

const HTTPS = new URL('https://api.example.com/v1');
const HTTP = new URL('http://127.0.0.1:8080/v1');

describe('poolCapacityOptions', () => {
  it('sizes the pool to carry maxConcurrent calls at once, with the shared default when unset', () => {
    expect(poolCapacityOptions(HTTPS, { maxConcurrent: 300 }).connections).toBe(300);
    expect(poolCapacityOptions(HTTPS).connections).toBe(DEFAULT_UPSTREAM_CONCURRENCY);
  });

  it("takes the same cap as pool.connections (undici's name), which wins over maxConcurrent", () => {
    expect(poolCapacityOptions(HTTPS, { pool: { connections: 64 } }).connections).toBe(64);
    expect(poolCapacityOptions(HTTPS, { pool: { connections: 64 }, maxConcurrent: 300 }).connections).toBe(64);
  });

  it('auto: lets a TLS provider choose HTTP/2 through ALPN, and speaks HTTP/1.1 in cleartext', () => {
    expect(poolCapacityOptions(HTTPS, { http2: 'auto' })).toMatchObject({ allowH2: true });
    expect(poolCapacityOptions(HTTPS, {})).toMatchObject({ allowH2: true });
    expect(poolCapacityOptions(HTTP, { http2: 'auto' })).toEqual({ connections: DEFAULT_UPSTREAM_CONCURRENCY, allowH2: false });
  });

  it('on: prefers HTTP/2 over TLS and uses h2c with prior knowledge in cleartext; off: HTTP/1.1 only', () => {
    expect(poolCapacityOptions(HTTPS, { http2: 'on' })).toMatchObject({ allowH2: true, connect: { preferH2: true } });
    expect(poolCapacityOptions(HTTP, { http2: 'on' })).toMatchObject({ allowH2: true, useH2c: true });
    expect(poolCapacityOptions(HTTPS, { http2: 'off' })).toMatchObject({ allowH2: false });
    expect(poolCapacityOptions(HTTP, { http2: 'off' })).toMatchObject({ allowH2: false });
  });

  describe('against a cleartext HTTP/2 server', () => {
    let server: Http2Server;
    let origin: URL;
    const versions: string[] = [];

    beforeAll(async () => {
      server = createHttp2Server((req, res) => {
        versions.push(req.httpVersion);
        res.end('ok');
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      origin = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    });

    afterAll(async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    });

    it('on: the pool really speaks HTTP/2 to it', async () => {
      const pool = new Pool(origin, poolCapacityOptions(origin, { http2: 'on', maxConcurrent: 4 }));
      try {
        const response = await pool.request({ path: '/', method: 'GET' });
        expect(await response.body.text()).toBe('ok');
        expect(versions).toEqual(['2.0']);
      } finally {
        await pool.destroy();
      }
    });
  });
});
