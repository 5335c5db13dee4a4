import type { Server } from 'node:http';
import type { ChatCompletionChunk, ChatRequest } from '@llm-connector-hub/core';
import { HubError } from '@llm-connector-hub/core';
import { AnthropicProvider } from './anthropic.provider';
import { fixtureText } from './fixtures/load-fixture';
import { fakeAnthropic, type Reply } from './fake-anthropic.spec-helpers';

const request: ChatRequest = { model: 'claude-sonnet-4-5', messages: [{ role: 'user', content: 'Hello' }] };
const context = () => ({ signal: new AbortController().signal, requestId: 'req-test' });

describe('AnthropicProvider', () => {
  let server: Server | undefined;
  let provider: AnthropicProvider | undefined;

  afterEach(async () => {
    await provider?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
    provider = undefined;
  });

  async function setup(reply: Reply, options: { basePath?: string; version?: string } = {}) {
    const fake = await fakeAnthropic(reply);
    server = fake.server;
    provider = new AnthropicProvider({
      apiKey: 'sk-ant-api03-test-key-0123456789',
      baseUrl: fake.url + (options.basePath ?? ''),
      version: options.version,
      models: ['claude-sonnet-4-5'],
      headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' },
    });
    return { provider, seen: fake.seen };
  }

  it('describes itself as an anthropic provider without embeddings', async () => {
    const { provider } = await setup({ status: 200, contentType: 'application/json', body: '{}' });
    expect(provider.type).toBe('anthropic');
    expect(provider.models).toEqual(['claude-sonnet-4-5']);
    expect(provider.embed).toBeUndefined();
  });

  it('POSTs the Messages body to /v1/messages with x-api-key and anthropic-version', async () => {
    const { provider, seen } = await setup({ status: 200, contentType: 'application/json', body: fixtureText('response-text.json') });
    const completion = await provider.complete(request, context());
    expect(seen.method).toBe('POST');
    expect(seen.url).toBe('/v1/messages');
    expect(seen.headers['x-api-key']).toBe('sk-ant-api03-test-key-0123456789');
    expect(seen.headers['anthropic-version']).toBe('2023-06-01');
    expect(seen.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
    expect(seen.headers.authorization).toBeUndefined();
    expect(seen.body).toEqual({ model: 'claude-sonnet-4-5', max_tokens: 4096, messages: [{ role: 'user', content: 'Hello' }] });
    expect(completion.choices[0].message.content).toBe("Hello! I'm Claude. How can I help you today?");
  });

  it('appends /v1/messages to a base URL path (a proxy prefix) and sends a configured version', async () => {
    const { provider, seen } = await setup(
      { status: 200, contentType: 'application/json', body: fixtureText('response-text.json') },
      { basePath: '/anthropic/', version: '2023-01-01' },
    );
    await provider.complete(request, context());
    expect(seen.url).toBe('/anthropic/v1/messages');
    expect(seen.headers['anthropic-version']).toBe('2023-01-01');
  });

  it('streams a tool call sent in 5-byte network pieces', async () => {
    const { provider, seen } = await setup({
      status: 200,
      contentType: 'text/event-stream',
      body: fixtureText('stream-tool-use.sse'),
      pieceSize: 5,
    });
    const chunks: ChatCompletionChunk[] = [];
    for await (const chunk of provider.stream({ ...request, stream: true }, context())) chunks.push(chunk);
    expect(seen.body.stream).toBe(true);
    const args = chunks
      .flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []))
      .map((call) => call.function?.arguments ?? '')
      .join('');
    expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(chunks[chunks.length - 1]).toMatchObject({ choices: [], usage: { prompt_tokens: 472, completion_tokens: 89 } });
  });

  it('fails a stream cut before message_stop with upstream_stream_interrupted', async () => {
    const { provider } = await setup({ status: 200, contentType: 'text/event-stream', body: fixtureText('stream-truncated.sse') });
    const seenContent: string[] = [];
    let error: unknown;
    try {
      for await (const chunk of provider.stream({ ...request, stream: true }, context())) {
        if (chunk.choices[0]?.delta.content) seenContent.push(chunk.choices[0].delta.content);
      }
    } catch (caught) {
      error = caught;
    }
    expect(seenContent.join('')).toBe('The three primary colours are red, yellow');
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('upstream_stream_interrupted');
  });

  it('turns an HTTP 529 error body into a retryable HubError carrying Anthropic\'s message', async () => {
    const { provider } = await setup({ status: 529, contentType: 'application/json', body: fixtureText('error-overloaded.json') });
    await expect(provider.complete(request, context())).rejects.toMatchObject({
      status: 502,
      upstreamStatus: 529,
      provider: 'anthropic',
      message: 'anthropic returned HTTP 529: Overloaded',
      retryable: true,
    });
  });

  it('passes a 400 invalid_request_error through as a 400 with its message', async () => {
    const { provider } = await setup({ status: 400, contentType: 'application/json', body: fixtureText('error-invalid-request.json') });
    await expect(provider.complete(request, context())).rejects.toMatchObject({
      status: 400,
      type: 'invalid_request_error',
      message: 'anthropic returned HTTP 400: messages.1.content.0.tool_use.input: Input should be a valid dictionary',
    });
  });

  it('rejects a request Anthropic cannot serve before any network call', async () => {
    const { provider, seen } = await setup({ status: 200, contentType: 'application/json', body: fixtureText('response-text.json') });
    await expect(provider.complete({ ...request, n: 3 }, context())).rejects.toMatchObject({ status: 400, param: 'n' });
    expect(seen.url).toBeUndefined();
  });
});
