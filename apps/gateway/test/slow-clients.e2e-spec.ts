import { readdirSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { eventually, startGateway, type RunningProcess } from './support/processes';
import { rawPost, rawRequest } from './support/raw-http';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * Clients that send slowly, stop half-way, or send what is not HTTP: each gets a clean answer
 * in OpenAI's shape (408, 413, 431, 400) and its connection is closed, and however many of them
 * there are, the gateway's open files stay bounded and it goes on serving once they are gone.
 */
const LIMITS = { headersTimeoutMs: 500, requestTimeoutMs: 1_000, maxConnections: 64, bodyLimitBytes: 64 * 1024 };
/** Generous: Node checks its request timers once a second, and the machine may be loaded. */
const BOUND_MS = 15_000;
let gateway: RunningProcess;

beforeAll(async () => {
  gateway = await startGateway({ server: LIMITS, providers: { mock: { type: 'mock' } }, cache: { type: 'none' } });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
}, STOP_TIMEOUT_MS);

const okBody = JSON.stringify({ model: 'mock/mock-1', messages: [{ role: 'user', content: 'hi' }] });
const head = (contentLength: number) =>
  `POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: ${contentLength}\r\n\r\n`;

function errorOf(body: string): { code: string; type: string; message: string } {
  return (JSON.parse(body) as { error: { code: string; type: string; message: string } }).error;
}

describe('stalled and slow requests', () => {
  it('answers a body that stops half-way with 408 request_timeout and closes the connection', async () => {
    const exchange = await rawRequest(gateway.port, head(okBody.length) + okBody.slice(0, 10), { boundMs: BOUND_MS });
    expect(exchange.ended).toBe('closed');
    expect(exchange.status).toBe(408);
    expect(exchange.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(exchange.headers.connection).toBe('close');
    expect(errorOf(exchange.body)).toMatchObject({ code: 'request_timeout', type: 'invalid_request_error' });
  });

  it('answers headers that stop half-way with 408 and closes the connection', async () => {
    const exchange = await rawRequest(gateway.port, 'POST /v1/chat/completions HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-ty', { boundMs: BOUND_MS });
    expect(exchange.ended).toBe('closed');
    expect(exchange.status).toBe(408);
    expect(errorOf(exchange.body).code).toBe('request_timeout');
  });

  it('bounds the whole body, not only the pauses: a body sent a few bytes at a time gets 408', async () => {
    const body = `{"model":"mock/mock-1","messages":[{"role":"user","content":"${'x'.repeat(400)}"}]}`;
    const pieces = [head(body.length), ...(body.match(/[\s\S]{1,4}/g) ?? [])];
    const exchange = await rawRequest(gateway.port, '', { pieces, between: () => new Promise((r) => setTimeout(r, 100)), boundMs: BOUND_MS });
    expect(exchange.status).toBe(408);
    expect(exchange.ended).toBe('closed');
  });

  it('closes a connection that never sends anything', async () => {
    const exchange = await rawRequest(gateway.port, '', { boundMs: BOUND_MS });
    expect(exchange.ended).toBe('closed');
  });

  it('still answers a request whose body arrives in pieces within the limits', async () => {
    const pieces = [head(okBody.length), okBody.slice(0, 20), okBody.slice(20)];
    const exchange = await rawRequest(gateway.port, '', { pieces, between: () => new Promise((r) => setTimeout(r, 50)), until: '"finish_reason"', boundMs: BOUND_MS });
    expect(exchange.status).toBe(200);
  });
});

describe('not HTTP, or too much of it', () => {
  it('answers garbage with 400 malformed_request in OpenAI shape', async () => {
    const exchange = await rawRequest(gateway.port, 'HELLO THERE\r\n\r\n', { boundMs: BOUND_MS });
    expect(exchange.status).toBe(400);
    expect(errorOf(exchange.body).code).toBe('malformed_request');
    expect(exchange.ended).toBe('closed');
  });

  it('answers headers over 16 KiB with 431 headers_too_large', async () => {
    const exchange = await rawRequest(gateway.port, `GET /health/live HTTP/1.1\r\nhost: x\r\nx-big: ${'a'.repeat(20_000)}\r\n\r\n`, { boundMs: BOUND_MS });
    expect(exchange.status).toBe(431);
    expect(errorOf(exchange.body).code).toBe('headers_too_large');
  });

  it.each([LIMITS.bodyLimitBytes + 1, LIMITS.bodyLimitBytes + 1_000, 1024 * 1024, 8 * 1024 * 1024])(
    'answers a %i-byte body with a 413 the client receives, never a reset',
    async (size) => {
      const body = `{"model":"mock/mock-1","messages":[{"role":"user","content":"${'x'.repeat(size)}"}]}`;
      for (let i = 0; i < 5; i++) {
        const exchange = await rawRequest(gateway.port, rawPost('/v1/chat/completions', body), { until: 'payload_too_large"}}', boundMs: BOUND_MS });
        expect(exchange.ended).not.toBe('reset');
        expect(exchange.status).toBe(413);
        expect(errorOf(exchange.body).code).toBe('payload_too_large');
      }
    },
  );
});

describe('many stalled clients at once', () => {
  const openFiles = () => readdirSync(`/proc/${gateway.child.pid}/fd`).length;

  it('keeps open files under the connection cap, closes them all, then serves again', async () => {
    const before = openFiles();
    const sockets: Socket[] = [];
    const closed = new Set<Socket>();
    for (let i = 0; i < 4 * LIMITS.maxConnections; i++) {
      const socket = connect(gateway.port, '127.0.0.1');
      socket.on('error', () => undefined);
      socket.resume(); // read (and drop) the 408, or the FIN behind it is never seen
      socket.on('close', () => closed.add(socket));
      socket.once('connect', () => socket.write(head(okBody.length) + okBody.slice(0, 5)));
      sockets.push(socket);
    }
    try {
      // While they are held, the gateway never has more than its cap of client connections open.
      const peak = await eventually(async () => openFiles(), () => closed.size >= sockets.length - LIMITS.maxConnections, BOUND_MS);
      expect(peak).toBeLessThanOrEqual(before + LIMITS.maxConnections + 1);
      // Every one of them is closed by the gateway (dropped at the cap, or timed out with 408)...
      await eventually(async () => closed.size, (n) => n === sockets.length, BOUND_MS);
      expect(closed.size).toBe(sockets.length);
      // ...and a well-behaved client is served again.
      const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: okBody });
      expect(response.status).toBe(200);
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  }, 60_000);
});
