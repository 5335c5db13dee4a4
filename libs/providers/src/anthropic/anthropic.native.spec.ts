import type { Server } from 'node:http';
import type { ChatCompletionChunk, ChatRequest, NativeRequest } from '@llm-connector-hub/core';
import { NATIVE_DIALECTS } from '@llm-connector-hub/core';
import { AnthropicProvider } from './anthropic.provider';
import { fakeAnthropic, type Reply } from './fake-anthropic.spec-helpers';
import { fixtureText, sseEventsOf } from './fixtures/load-fixture';

const SIGNATURE = 'EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds...';

/**
 * What a Claude Code turn sends: a thinking block with its signature from the turn before,
 * `cache_control` on system, tools and a message, a server tool, and a field the canonical
 * request has no place for. Written compactly, as a client serializes it.
 */
const CLIENT_BODY_TEXT = JSON.stringify({
  model: 'claude-alias',
  max_tokens: 1024,
  system: [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } }],
  tools: [
    { name: 'get_weather', input_schema: { type: 'object', properties: { city: { type: 'string' } } }, cache_control: { type: 'ephemeral' } },
    { type: 'web_search_20250305', name: 'web_search', max_uses: 2 },
  ],
  thinking: { type: 'enabled', budget_tokens: 2048 },
  messages: [
    { role: 'user', content: [{ type: 'text', text: 'Weather in Paris?', cache_control: { type: 'ephemeral' } }] },
    {
      role: 'assistant',
      content: [
        { type: 'thinking', thinking: 'The user wants weather: call the tool.', signature: SIGNATURE },
        { type: 'redacted_thinking', data: 'EmwKAhgBEgy3va3pzix==' },
        { type: 'tool_use', id: 'toolu_01', name: 'get_weather', input: { city: 'Paris' } },
      ],
    },
    { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_01', content: '22C' }] },
  ],
  context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
});

/** The client's headers as a route hands them over, credentials included: the provider must pick. */
function nativeRequest(extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): NativeRequest {
  return {
    dialect: NATIVE_DIALECTS.anthropicMessages,
    body: { ...(JSON.parse(CLIENT_BODY_TEXT) as Record<string, unknown>), ...extra },
    headers: { 'anthropic-version': '2026-10-21', 'anthropic-beta': 'interleaved-thinking-2025-05-14', ...headers },
  };
}

/** The canonical view the hub made of the same request (the provider must not send it). */
const canonical: ChatRequest = { model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Weather in Paris?' }] };
const context = (native?: NativeRequest) => ({ signal: new AbortController().signal, requestId: 'req-test', native });

describe('AnthropicProvider with a native Anthropic Messages request', () => {
  let server: Server | undefined;
  let provider: AnthropicProvider | undefined;

  afterEach(async () => {
    await provider?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    provider = undefined;
  });

  async function setup(reply: Reply) {
    const fake = await fakeAnthropic(reply);
    server = fake.server;
    provider = new AnthropicProvider({
      apiKey: 'sk-ant-api03-test-key-0123456789',
      baseUrl: fake.url,
      headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' },
    });
    return { provider, seen: fake.seen };
  }

  it("sends the client's body byte for byte but for the target's model, and answers the upstream's message beside the canonical view", async () => {
    const upstream = fixtureText('response-thinking.json');
    const { provider, seen } = await setup({ status: 200, contentType: 'application/json', body: upstream });
    const completion = await provider.complete(canonical, context(nativeRequest()));
    expect(seen.url).toBe('/v1/messages');
    expect(seen.raw).toBe(CLIENT_BODY_TEXT.replace('"model":"claude-alias"', '"model":"claude-sonnet-4-5"'));
    expect(completion.native).toEqual({ dialect: 'anthropic-messages', body: JSON.parse(upstream) });
    // The canonical view still carries what the hub needs: usage for cost, the text for logs.
    expect(completion.usage).toMatchObject({ prompt_tokens: 46, completion_tokens: 263 });
    expect(completion.choices[0].message.content).toBe('27 * 453 = 12,231');
  });

  it('forwards anthropic-version and anthropic-beta (beside the configured betas), never the client credentials', async () => {
    const { provider, seen } = await setup({ status: 200, contentType: 'application/json', body: fixtureText('response-text.json') });
    const native = nativeRequest({}, { 'x-api-key': 'client-gateway-key', authorization: 'Bearer client-gateway-key', 'anthropic-beta': 'interleaved-thinking-2025-05-14, prompt-caching-2024-07-31' });
    await provider.complete(canonical, context(native));
    expect(seen.headers['x-api-key']).toBe('sk-ant-api03-test-key-0123456789');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.headers['anthropic-version']).toBe('2026-10-21');
    expect(seen.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31,interleaved-thinking-2025-05-14');
  });

  it("keeps the configured version and betas when the client sent none, and sets stream only when it is one", async () => {
    const { provider, seen } = await setup({ status: 200, contentType: 'application/json', body: fixtureText('response-text.json') });
    await provider.complete(canonical, context({ ...nativeRequest(), headers: {} }));
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect('stream' in seen.body).toBe(false);
    await provider.complete(canonical, context(nativeRequest({ stream: true })));
    expect(seen.body.stream).toBe(false);
  });

  it('passes every upstream event on verbatim and in order (pings, thinking and signature deltas), beside the canonical chunks', async () => {
    // Anthropic sends a ping after the first block starts.
    const upstream = fixtureText('stream-thinking.sse').replace('"signature": ""}}\n\n', '"signature": ""}}\n\nevent: ping\ndata: {"type": "ping"}\n\n');
    const { provider, seen } = await setup({ status: 200, contentType: 'text/event-stream', body: upstream, pieceSize: 7 });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of provider.stream(canonical, context(nativeRequest()))) chunks.push(chunk);
    expect(seen.body.stream).toBe(true);
    expect(seen.body.messages).toEqual(JSON.parse(CLIENT_BODY_TEXT).messages);
    const passed = chunks.filter((chunk) => chunk.native).map((chunk) => chunk.native);
    expect(passed).toEqual(sseEventsOf(upstream, upstream.length).map(({ event, data }) => ({ event, data })));
    expect(passed.map((event) => event?.event)).toContain('ping');
    // The canonical chunks are all there too: the text, the finish and the usage the hub needs.
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe('27 * 453 = 12,231');
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'stop')).toBe(true);
    expect(chunks[chunks.length - 1].usage).toMatchObject({ completion_tokens: 263 });
  });

  it('declares the dialect it takes as it came', async () => {
    const { provider } = await setup({ status: 200, contentType: 'application/json', body: '{}' });
    expect(provider.nativeDialects).toEqual(['anthropic-messages']);
  });

  it('serves the canonical request as before when the call carries another dialect, or none', async () => {
    const { provider, seen } = await setup({ status: 200, contentType: 'application/json', body: fixtureText('response-text.json') });
    for (const native of [undefined, { ...nativeRequest(), dialect: 'openai-responses' }]) {
      const completion = await provider.complete(canonical, context(native));
      expect(seen.body).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Weather in Paris?' }] });
      expect(seen.headers['anthropic-version']).toBe('2023-06-01');
      expect(completion.native).toBeUndefined();
    }
  });
});
