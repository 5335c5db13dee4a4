import { startGateway, type RunningProcess } from './support/processes';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

const KEYS = ['gw-key-alpha-123456', 'gw-key-beta-654321'];
let gateway: RunningProcess;

beforeAll(async () => {
  gateway = await startGateway(undefined, { LLM_HUB_API_KEYS: KEYS.join(',') });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
}, STOP_TIMEOUT_MS);

const body = { model: 'mock/mock-1', messages: [{ role: 'user', content: 'hi' }] };

describe('gateway keys', () => {
  it.each([
    ['no Authorization header', {}],
    ['a wrong key', { authorization: 'Bearer not-a-key' }],
    ['a key that is a prefix of a real one', { authorization: 'Bearer gw-key-alpha' }],
    ['the key without Bearer', { authorization: KEYS[0] }],
  ])('rejects %s with 401 in OpenAI shape', async (_name, headers) => {
    for (const path of ['/v1/chat/completions', '/api/complete', '/v1/embeddings']) {
      const response = await postJson(`${gateway.url}${path}`, { ...body, input: 'x' }, headers);
      expect(response.status).toBe(401);
      const error = (await response.json()) as { error: { type: string; code: string } };
      expect(error.error).toMatchObject({ type: 'authentication_error', code: 'invalid_api_key' });
    }
    const models = await fetch(`${gateway.url}/v1/models`, { headers: headers as Record<string, string> });
    expect(models.status).toBe(401);
  });

  it('accepts every configured key', async () => {
    for (const key of KEYS) {
      const response = await postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${key}` });
      expect(response.status).toBe(200);
    }
  });

  it('keeps health open without a key', async () => {
    expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
    expect((await fetch(`${gateway.url}/health/ready`)).status).toBe(200);
  });

  it("echoes the client's x-request-id, and makes one when none is sent", async () => {
    const mine = await postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${KEYS[0]}`, 'x-request-id': 'trace-abc-123' });
    expect(mine.headers.get('x-request-id')).toBe('trace-abc-123');
    const rejected = await postJson(`${gateway.url}/v1/chat/completions`, body, { 'x-request-id': 'trace-def-456' });
    expect(rejected.headers.get('x-request-id')).toBe('trace-def-456');
    const fresh = await postJson(`${gateway.url}/v1/chat/completions`, body, { authorization: `Bearer ${KEYS[0]}` });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('never prints a gateway key', () => {
    for (const key of KEYS) expect(gateway.output()).not.toContain(key);
  });
});
