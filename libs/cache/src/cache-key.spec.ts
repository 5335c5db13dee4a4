import type { ChatRequest, EmbeddingRequest } from '@llm-connector-hub/core';
import { cacheKeyFor, lockKeyFor, type CacheKeyInput } from './cache-key';

const KEY_FORMAT = /^llmhub:v1:\{[0-9a-f]{16}:[0-9a-f]{64}\}$/;

const request: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'What is the capital of France?' },
  ],
  temperature: 0,
  max_tokens: 100,
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } }],
  response_format: { type: 'text' },
};

function keyOf(overrides: Partial<CacheKeyInput> = {}): string {
  return cacheKeyFor({
    namespace: 'llmhub:',
    tenant: 'tenant-a',
    targets: [{ provider: 'openai', model: 'gpt-4o-mini' }],
    request,
    kind: 'chat',
    ...overrides,
  });
}

function withRequest(changes: Record<string, unknown>): string {
  return keyOf({ request: { ...request, ...changes } });
}

describe('cacheKeyFor', () => {
  it('has the namespaced, hash-tagged format', () => {
    expect(keyOf()).toMatch(KEY_FORMAT);
  });

  it('is the same whatever the key order of the client JSON', () => {
    const reordered = JSON.parse(
      '{"response_format":{"type":"text"},"tools":[{"function":{"parameters":{"properties":{"city":{"type":"string"}},"type":"object"},"name":"get_weather"},"type":"function"}],' +
        '"max_tokens":100,"temperature":0,"messages":[{"content":"Be brief.","role":"system"},{"content":"What is the capital of France?","role":"user"}],"model":"gpt-4o-mini"}',
    ) as ChatRequest;
    expect(keyOf({ request: reordered })).toBe(keyOf());
  });

  it.each<[string, Record<string, unknown>]>([
    ['messages', { messages: [{ role: 'user', content: 'What is the capital of Spain?' }] }],
    ['message order', { messages: [...request.messages].reverse() }],
    ['tools', { tools: [{ type: 'function', function: { name: 'get_time' } }] }],
    ['temperature', { temperature: 0.7 }],
    ['response_format', { response_format: { type: 'json_object' } }],
    ['max_tokens', { max_tokens: 101 }],
    ['an unknown field (deny-list: it may change the answer)', { reasoning: { effort: 'high' } }],
  ])('changes when %s changes', (_what, changes) => {
    expect(withRequest(changes)).not.toBe(keyOf());
  });

  it.each<[string, Record<string, unknown>]>([
    ['stream', { stream: true }],
    ['stream_options', { stream: true, stream_options: { include_usage: true } }],
    ['user', { user: 'someone' }],
    ['metadata', { metadata: { trace: 'x' } }],
    ['store', { store: true }],
    ['timeout', { timeout: 5000 }],
    ['provider', { provider: 'openai' }],
    ['service_tier', { service_tier: 'flex' }],
    ['model (the targets carry it)', { model: 'my-alias' }],
  ])('ignores %s', (_what, changes) => {
    expect(withRequest(changes)).toBe(keyOf());
  });

  it('gives stream true and false the same key', () => {
    expect(withRequest({ stream: true })).toBe(withRequest({ stream: false }));
  });

  it('separates tenants', () => {
    expect(keyOf({ tenant: 'tenant-b' })).not.toBe(keyOf());
  });

  it('keeps a hostile tenant inside the hash tag', () => {
    for (const tenant of ['}', 'a:b', '{evil}', 'x}:lock', '\n', '']) {
      expect(keyOf({ tenant })).toMatch(KEY_FORMAT);
    }
  });

  it('separates targets, and their order', () => {
    const two = [
      { provider: 'openai', model: 'gpt-4o-mini' },
      { provider: 'anthropic', model: 'claude-3-5-haiku' },
    ];
    expect(keyOf({ targets: [{ provider: 'azure', model: 'gpt-4o-mini' }] })).not.toBe(keyOf());
    expect(keyOf({ targets: [{ provider: 'openai', model: 'gpt-4o' }] })).not.toBe(keyOf());
    expect(keyOf({ targets: two })).not.toBe(keyOf());
    expect(keyOf({ targets: [...two].reverse() })).not.toBe(keyOf({ targets: two }));
  });

  it('gives an alias and its explicit target list the same key', () => {
    const targets = [{ provider: 'openai', model: 'gpt-4o-mini' }];
    expect(keyOf({ targets, request: { ...request, model: 'fast' } })).toBe(keyOf({ targets, request: { ...request, model: 'openai/gpt-4o-mini' } }));
  });

  it('separates chat and embedding requests', () => {
    const embedding: EmbeddingRequest = { model: 'text-embedding-3-small', input: 'hello' };
    const targets = [{ provider: 'openai', model: 'text-embedding-3-small' }];
    expect(keyOf({ kind: 'embedding', request: embedding, targets })).toMatch(KEY_FORMAT);
    expect(keyOf({ kind: 'embedding', request: embedding, targets })).not.toBe(keyOf({ kind: 'chat', request: embedding, targets }));
    expect(keyOf({ kind: 'embedding', request: { ...embedding, dimensions: 256 }, targets })).not.toBe(
      keyOf({ kind: 'embedding', request: embedding, targets }),
    );
    expect(keyOf({ kind: 'embedding', request: { ...embedding, user: 'u' }, targets })).toBe(keyOf({ kind: 'embedding', request: embedding, targets }));
  });

  describe('with a native request (the client body in its own dialect)', () => {
    const thinking = { type: 'thinking', thinking: 'Call the tool.', signature: 'EqQBsig-one' };
    const native = (signature: string, headers: Record<string, string> = { 'anthropic-beta': 'feature-a' }) => ({
      dialect: 'anthropic-messages',
      body: { model: 'claude', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }, { role: 'assistant', content: [{ ...thinking, signature }] }] },
      headers,
    });

    it('differs from the same canonical request without it, whatever its model and stream flag (which the provider sets)', () => {
      const base = native('EqQBsig-one');
      expect(keyOf({ native: base })).not.toBe(keyOf());
      expect(keyOf({ native: { ...base, body: { ...base.body, model: 'other', stream: true } } })).toBe(keyOf({ native: base }));
    });

    it('changes with a thinking signature or a beta header the canonical request cannot hold', () => {
      expect(keyOf({ native: native('EqQBsig-two') })).not.toBe(keyOf({ native: native('EqQBsig-one') }));
      expect(keyOf({ native: native('EqQBsig-one', { 'anthropic-beta': 'feature-b' }) })).not.toBe(keyOf({ native: native('EqQBsig-one') }));
    });
  });

  it('rejects a namespace that would move the hash tag', () => {
    expect(() => keyOf({ namespace: 'llm{hub}:' })).toThrow(RangeError);
  });
});

describe('lockKeyFor', () => {
  it('keeps the value key hash tag, so both land in one Redis Cluster slot', () => {
    const key = keyOf();
    const lock = lockKeyFor(key);
    expect(lock).toBe(`${key}:lock`);
    const tag = (k: string) => k.slice(k.indexOf('{') + 1, k.indexOf('}'));
    expect(tag(lock)).toBe(tag(key));
  });
});
