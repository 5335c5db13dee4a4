import { startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * Bad input gets a 4xx in OpenAI's error shape naming the problem; never a 500, never a crash
 * (the gateway still answers a good request after the whole table).
 */
let gateway: RunningProcess;

beforeAll(async () => {
  gateway = await startGateway({ server: { bodyLimitBytes: 64 * 1024 }, providers: { mock: { type: 'mock' } } });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
}, STOP_TIMEOUT_MS);

const user = [{ role: 'user', content: 'hi' }];
const ok = { model: 'mock/mock-1', messages: user };

interface BadCase {
  name: string;
  path?: string;
  body?: unknown;
  raw?: string;
  contentType?: string;
  status: number;
  param?: string | null;
  code?: string;
  message?: RegExp;
}

const table: BadCase[] = [
  { name: 'malformed JSON', raw: '{"model": "mock/mock-1", "messages": [', status: 400, code: 'invalid_body', message: /not valid JSON/ },
  { name: 'trailing garbage after JSON', raw: '{"model":"mock/mock-1"} xx', status: 400, code: 'invalid_body' },
  { name: 'empty body', raw: '', status: 400, code: 'invalid_body', message: /empty/ },
  { name: 'JSON array body', body: [ok], status: 400, code: 'invalid_body', message: /JSON object/ },
  { name: 'JSON string body', body: 'hello', status: 400, code: 'invalid_body' },
  { name: 'JSON null body', raw: 'null', status: 400, code: 'invalid_body' },
  { name: 'text/plain content type', raw: JSON.stringify(ok), contentType: 'text/plain', status: 415, code: 'unsupported_media_type' },
  { name: 'form content type', raw: 'model=x', contentType: 'application/x-www-form-urlencoded', status: 415, code: 'unsupported_media_type' },
  { name: 'xml content type', raw: '<a/>', contentType: 'application/xml', status: 415, code: 'unsupported_media_type' },
  { name: 'body over the limit', raw: JSON.stringify({ ...ok, messages: [{ role: 'user', content: 'x'.repeat(70 * 1024) }] }), status: 413, code: 'payload_too_large' },
  { name: 'missing model', body: { messages: user }, status: 400, param: 'model' },
  { name: 'model not a string', body: { model: 42, messages: user }, status: 400, param: 'model' },
  { name: 'empty model', body: { model: '', messages: user }, status: 400, param: 'model' },
  { name: 'missing messages', body: { model: 'mock/mock-1' }, status: 400, param: 'messages' },
  { name: 'messages not an array', body: { model: 'mock/mock-1', messages: 'hi' }, status: 400, param: 'messages' },
  { name: 'empty messages', body: { model: 'mock/mock-1', messages: [] }, status: 400, param: 'messages', message: /at least one/ },
  { name: 'message without role', body: { model: 'mock/mock-1', messages: [{ content: 'hi' }] }, status: 400, param: 'messages[0].role' },
  { name: 'unknown role', body: { model: 'mock/mock-1', messages: [{ role: 'wizard', content: 'hi' }] }, status: 400, param: 'messages[0].role' },
  { name: 'content of wrong type', body: { model: 'mock/mock-1', messages: [{ role: 'user', content: 7 }] }, status: 400, param: 'messages[0].content' },
  { name: 'unknown content part', body: { model: 'mock/mock-1', messages: [{ role: 'user', content: [{ type: 'video', url: 'x' }] }] }, status: 400, param: 'messages[0].content' },
  { name: 'tool message without tool_call_id', body: { model: 'mock/mock-1', messages: [...user, { role: 'tool', content: 'r' }] }, status: 400, param: 'messages[1].tool_call_id' },
  { name: 'assistant without content or tool_calls', body: { model: 'mock/mock-1', messages: [{ role: 'assistant' }, ...user] }, status: 400, param: 'messages[0]' },
  { name: 'unknown model', body: { model: 'no-such-model', messages: user }, status: 404, param: 'model', code: 'model_not_found' },
  { name: 'unknown provider prefix is treated as a model', body: { model: 'nope/gpt-4o', messages: user }, status: 404, code: 'model_not_found' },
  { name: 'unknown provider field', body: { model: 'gpt-4o', provider: 'nope', messages: user }, status: 404, param: 'provider', code: 'provider_not_found' },
  { name: 'temperature above 2', body: { ...ok, temperature: 2.5 }, status: 400, param: 'temperature' },
  { name: 'temperature below 0', body: { ...ok, temperature: -1 }, status: 400, param: 'temperature' },
  { name: 'temperature as string', body: { ...ok, temperature: 'hot' }, status: 400, param: 'temperature' },
  { name: 'top_p above 1', body: { ...ok, top_p: 1.5 }, status: 400, param: 'top_p' },
  { name: 'n of 0', body: { ...ok, n: 0 }, status: 400, param: 'n' },
  { name: 'n above 128', body: { ...ok, n: 129 }, status: 400, param: 'n' },
  { name: 'n not an integer', body: { ...ok, n: 1.5 }, status: 400, param: 'n' },
  { name: 'max_tokens of 0', body: { ...ok, max_tokens: 0 }, status: 400, param: 'max_tokens' },
  { name: 'max_tokens negative', body: { ...ok, max_tokens: -5 }, status: 400, param: 'max_tokens' },
  { name: 'max_tokens fractional', body: { ...ok, max_tokens: 10.5 }, status: 400, param: 'max_tokens' },
  { name: 'max_completion_tokens as string', body: { ...ok, max_completion_tokens: '10' }, status: 400, param: 'max_completion_tokens' },
  { name: 'presence_penalty out of range', body: { ...ok, presence_penalty: 3 }, status: 400, param: 'presence_penalty' },
  { name: 'more than four stop sequences', body: { ...ok, stop: ['a', 'b', 'c', 'd', 'e'] }, status: 400, param: 'stop' },
  { name: 'stream not a boolean', body: { ...ok, stream: 'yes' }, status: 400, param: 'stream' },
  { name: 'stream_options without stream', body: { ...ok, stream_options: { include_usage: true } }, status: 400, param: 'stream_options' },
  { name: 'tool with a bad name', body: { ...ok, tools: [{ type: 'function', function: { name: 'has space' } }] }, status: 400, param: 'tools[0].function.name' },
  { name: 'tool_choice naming a missing tool', body: { ...ok, tools: [{ type: 'function', function: { name: 'a' } }], tool_choice: { type: 'function', function: { name: 'b' } } }, status: 400, param: 'tool_choice' },
  { name: 'tool_choice required without tools', body: { ...ok, tool_choice: 'required' }, status: 400, param: 'tool_choice' },
  { name: 'unknown response_format type', body: { ...ok, response_format: { type: 'yaml' } }, status: 400, param: 'response_format.type' },
  { name: 'timeout of 0', body: { ...ok, timeout: 0 }, status: 400, param: 'timeout' },
  { name: 'embeddings without input', path: '/v1/embeddings', body: { model: 'mock/mock-1' }, status: 400, param: 'input' },
  { name: 'embeddings with empty input', path: '/v1/embeddings', body: { model: 'mock/mock-1', input: '' }, status: 400, param: 'input' },
  { name: 'embeddings for an unknown model', path: '/v1/embeddings', body: { model: 'zzz', input: 'a' }, status: 404, code: 'model_not_found' },
  { name: 'hub API with a bad timeout', path: '/api/complete', body: { ...ok, timeout: -1 }, status: 400, param: 'timeout' },
  { name: 'unknown route', path: '/v1/completions-typo', body: ok, status: 404, code: 'route_not_found' },
];

describe('bad input table', () => {
  it.each(table)('$name -> $status', async (c) => {
    const response = await fetch(`${gateway.url}${c.path ?? '/v1/chat/completions'}`, {
      method: 'POST',
      headers: { 'content-type': c.contentType ?? 'application/json' },
      body: c.raw ?? JSON.stringify(c.body),
    });
    const body = (await response.json()) as { error: { message: string; type: string; param: string | null; code: string | null } };
    expect(response.status).toBe(c.status);
    expect(body.error.type).toEqual(expect.any(String));
    expect(body.error.message.length).toBeGreaterThan(5);
    if (c.param !== undefined) expect(body.error.param).toBe(c.param);
    if (c.param) expect(body.error.message).toContain(c.param.replace(/\[\d+\]$/, ''));
    if (c.code) expect(body.error.code).toBe(c.code);
    if (c.message) expect(body.error.message).toMatch(c.message);
    expect(response.headers.get('x-request-id')).toBeTruthy();
  });

  it('has at least 30 cases', () => {
    expect(table.length).toBeGreaterThanOrEqual(30);
  });

  it('still answers good requests after all of them, and never logged a 500', async () => {
    const response = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(ok),
    });
    expect(response.status).toBe(200);
    expect(gateway.output()).not.toMatch(/"status":5\d\d|internal_error|Error:/);
  });
});
