import { request as httpRequest } from 'node:http';
import { connect, type Socket } from 'node:net';
import { eventually, startGateway, type RunningProcess } from './support/processes';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * /metrics shows traffic, spend, model names and versions: it is served on a listener of its own
 * (observability.metrics.port), never on the API port, and with a token only to who sends it.
 */

const GATEWAY_KEY = 'gw-key-metrics-listener-0001';
const METRICS_TOKEN = 'scrape-token-metrics-listener-0001';

let open: RunningProcess | undefined;
let guarded: RunningProcess | undefined;
/** observability.metrics.maxConnections 2, requestTimeoutMs 1000. */
let bounded: RunningProcess | undefined;

beforeAll(async () => {
  [open, guarded, bounded] = await Promise.all([
    startGateway(undefined),
    startGateway({ auth: { apiKeys: [GATEWAY_KEY] } }, { LLM_HUB_METRICS_TOKEN: METRICS_TOKEN }),
    startGateway({ observability: { metrics: { maxConnections: 2, requestTimeoutMs: 1000 } } }),
  ]);
  // One answered request each, so there is traffic to (not) leak.
  const chat = { model: 'mock/mock-1', temperature: 0, messages: [{ role: 'user', content: 'hello' }] };
  expect((await postJson(`${open.url}/v1/chat/completions`, chat)).status).toBe(200);
  expect((await postJson(`${guarded.url}/v1/chat/completions`, chat, { authorization: `Bearer ${GATEWAY_KEY}` })).status).toBe(200);
}, START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop(), bounded?.stop()]);
}, STOP_TIMEOUT_MS);

function metricsUrl(gateway: RunningProcess | undefined, path = '/metrics'): string {
  return `${gateway!.metricsUrl}${path}`;
}

async function errorOf(response: Response): Promise<{ status: number; code: string; requestId: boolean }> {
  const body = (await response.json()) as { error: { code: string; message: string; type: string } };
  return { status: response.status, code: body.error.code, requestId: (response.headers.get('x-request-id') ?? '') !== '' };
}

describe('without a token', () => {
  it('serves /metrics on the metrics port, not on the API port', async () => {
    expect(open!.metricsUrl).toBeDefined();
    expect(new URL(open!.metricsUrl!).port).not.toBe(String(open!.port));
    const metrics = await fetch(metricsUrl(open));
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await metrics.text();
    expect(text).toMatch(/^llm_hub_requests_total\{route="\/v1\/chat\/completions",provider="mock",model="[^"]+",status_class="2xx",cache="miss"\} 1$/m);
    expect(text).toMatch(/^llm_hub_build_info\{/m);
    expect(text).toMatch(/^process_resident_memory_bytes /m);

    const onApi = await fetch(`${open!.url}/metrics`);
    expect(await errorOf(onApi)).toEqual({ status: 404, code: 'route_not_found', requestId: true });
  });

  it('serves nothing else on the metrics port', async () => {
    expect(await errorOf(await fetch(metricsUrl(open, '/v1/models')))).toEqual({ status: 404, code: 'route_not_found', requestId: true });
    expect(await errorOf(await fetch(metricsUrl(open, '/health/ready')))).toEqual({ status: 404, code: 'route_not_found', requestId: true });
    const post = await fetch(metricsUrl(open), { method: 'POST', body: '{}' });
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect(await errorOf(post)).toEqual({ status: 405, code: 'method_not_allowed', requestId: true });
  });

  it('answers HEAD with the headers only', async () => {
    const head = await new Promise<{ status?: number; length?: string; body: string }>((resolve, reject) => {
      const req = httpRequest(metricsUrl(open), { method: 'HEAD' }, (res) => {
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ status: res.statusCode, length: res.headers['content-length'], body }));
      });
      req.on('error', reject);
      req.end();
    });
    expect(head.status).toBe(200);
    expect(Number(head.length)).toBeGreaterThan(0);
    expect(head.body).toBe('');
  });
});

describe('with observability.metrics.token', () => {
  it('answers 401 without the token, with a wrong one, and with a gateway key', async () => {
    for (const authorization of [undefined, 'Bearer wrong-token', `Bearer ${GATEWAY_KEY}`, METRICS_TOKEN]) {
      const response = await fetch(metricsUrl(guarded), { headers: authorization ? { authorization } : {} });
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
      const error = await errorOf(response);
      expect({ authorization, ...error }).toEqual({ authorization, status: 401, code: 'invalid_api_key', requestId: true });
    }
  });

  it('serves /metrics with the token, and still never on the API port', async () => {
    const response = await fetch(metricsUrl(guarded), { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(await response.text()).toMatch(/^llm_hub_requests_total\{/m);
    const onApi = await fetch(`${guarded!.url}/metrics`, { headers: { authorization: `Bearer ${GATEWAY_KEY}` } });
    expect((await errorOf(onApi)).status).toBe(404);
    const withToken = await fetch(`${guarded!.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect((await errorOf(withToken)).status).toBe(404);
  });

  it('never prints the token', () => {
    expect(guarded!.output()).toContain('"msg":"metrics listening"');
    expect(guarded!.output()).not.toContain(METRICS_TOKEN);
  });
});

describe('bounds', () => {
  const sockets: Socket[] = [];
  afterEach(() => {
    for (const socket of sockets.splice(0)) socket.destroy();
  });

  /** A TCP connection to the metrics port that has sent `bytes` (nothing by default) and stays open. */
  async function holdConnection(bytes = ''): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
    const url = new URL(bounded!.metricsUrl!);
    const socket = connect(Number(url.port), url.hostname);
    sockets.push(socket);
    let received = '';
    socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
    socket.on('error', () => undefined);
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    if (bytes) socket.write(bytes);
    return { socket, received: () => received, closed };
  }

  const scrapeStatus = () =>
    fetch(metricsUrl(bounded)).then(
      (response) => response.status,
      () => 'refused',
    );

  it('refuses connections beyond maxConnections, and serves again once one closes', async () => {
    const held = [await holdConnection(), await holdConnection()];
    expect(await scrapeStatus()).toBe('refused');
    held[0].socket.destroy();
    await held[0].closed;
    expect(await eventually(scrapeStatus, (status) => status === 200)).toBe(200);
  }, 30_000);

  it('closes a silent connection, and answers 408 to headers that trickle in and never finish', async () => {
    const silent = await holdConnection();
    await silent.closed;
    expect(silent.received()).toBe('');

    const trickling = await holdConnection('GET /metrics HTTP/1.1\r\nHost: metrics\r\n');
    // A header byte every 200 ms: never idle for requestTimeoutMs, never complete either.
    const drip = setInterval(() => trickling.socket.write('x'), 200);
    try {
      await trickling.closed;
    } finally {
      clearInterval(drip);
    }
    expect(trickling.received()).toMatch(/^HTTP\/1\.1 408 /);
  }, 30_000);
});
