import { request as httpRequest } from 'node:http';
import { startGateway, type RunningProcess } from './support/processes';
import { postJson } from './support/sse';

/**
 * /metrics shows traffic, spend, model names and versions: it is served on a listener of its own
 * (observability.metrics.port), never on the API port, and with a token only to who sends it.
 */

const GATEWAY_KEY = 'gw-key-metrics-listener-0001';
const METRICS_TOKEN = 'scrape-token-metrics-listener-0001';

let open: RunningProcess | undefined;
let guarded: RunningProcess | undefined;

beforeAll(async () => {
  [open, guarded] = await Promise.all([
    startGateway(undefined),
    startGateway({ auth: { apiKeys: [GATEWAY_KEY] } }, { LLM_HUB_METRICS_TOKEN: METRICS_TOKEN }),
  ]);
  // One answered request each, so there is traffic to (not) leak.
  const chat = { model: 'mock/mock-1', messages: [{ role: 'user', content: 'hello' }] };
  expect((await postJson(`${open.url}/v1/chat/completions`, chat)).status).toBe(200);
  expect((await postJson(`${guarded.url}/v1/chat/completions`, chat, { authorization: `Bearer ${GATEWAY_KEY}` })).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await Promise.all([open?.stop(), guarded?.stop()]);
}, 30_000);

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
