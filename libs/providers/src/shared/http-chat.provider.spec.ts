/**
 * The HTTP providers against a real HTTP server on 127.0.0.1 that answers like OpenAI (and Azure,
 * and an OpenAI-compatible server): real sockets, real chunked streams, real aborts.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubError, type ChatCompletionChunk, type ChatRequest, type EmbeddingRequest, type ProviderCallContext } from '@llm-connector-hub/core';
import { AzureOpenAIProvider } from '../azure-openai/azure-openai.provider';
import { OpenAICompatibleProvider } from '../openai-compatible/openai-compatible.provider';
import { assemble, readFixture, readJsonFixture } from '../openai/fixtures';
import { OpenAIProvider } from '../openai/openai.provider';
import type { HttpChatProvider } from './http-chat.provider';

const OPENAI_KEY = 'sk-proj-T3stK3yF0rTheGatewaySpecs_9xQ2wE4rT6yU8iO0pA1sD3fG5hJ7kL';
const AZURE_KEY = '8f2b1c0d9e7a4b3c8d2e1f0a9b8c7d6e';

interface RecordedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

type Handler = (req: IncomingMessage, res: ServerResponse, request: RecordedRequest) => void | Promise<void>;

/** A local HTTP server; each test sets `handler` to answer the way it needs. */
class FakeUpstream {
  readonly requests: RecordedRequest[] = [];
  /** Every connection the server accepted, in order, and whether it has closed since. */
  readonly connections: Array<{ closed: boolean }> = [];
  handler: Handler = (_req, res) => sendJson(res, 500, { error: { message: 'no handler set' } });
  private server?: Server;

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  get origin(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (part: Buffer) => parts.push(part));
      req.on('end', () => {
        const text = Buffer.concat(parts).toString('utf8');
        const recorded: RecordedRequest = {
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
          body: text ? JSON.parse(text) : undefined,
        };
        this.requests.push(recorded);
        void Promise.resolve(this.handler(req, res, recorded)).catch((error) => res.destroy(error));
      });
    });
    this.server.on('connection', (socket) => {
      const connection = { closed: false };
      this.connections.push(connection);
      socket.on('close', () => (connection.closed = true));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function startEventStream(res: ServerResponse): void {
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache' });
}

/** Splits a recorded .sse fixture into its events (each still ending in a blank line). */
function sseFrames(name: string): string[] {
  return readFixture(name)
    .split(/(?<=\n\n)/)
    .filter((frame) => frame.length > 0);
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** Fails with a clear message instead of hanging until Jest's timeout. */
async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function drain(iterable: AsyncIterable<ChatCompletionChunk>, into: ChatCompletionChunk[] = []): Promise<ChatCompletionChunk[]> {
  for await (const chunk of iterable) into.push(chunk);
  return into;
}

function context(signal: AbortSignal = new AbortController().signal): ProviderCallContext {
  return { signal, requestId: 'req-test' };
}

const chatRequest: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'Tell me a joke.' }],
  temperature: 0.7,
  stream: false,
  stream_options: { include_usage: false },
};
const { stream: _stream, stream_options: _streamOptions, ...chatWireBody } = chatRequest;

const embeddingRequest: EmbeddingRequest = { model: 'text-embedding-3-small', input: ['first text', 'second text'] };

describe('HTTP providers against a real server', () => {
  const upstream = new FakeUpstream();
  const providers: HttpChatProvider[] = [];

  function track<T extends HttpChatProvider>(provider: T): T {
    providers.push(provider);
    return provider;
  }

  const openai = (extra: Partial<ConstructorParameters<typeof OpenAIProvider>[0]> = {}) =>
    track(new OpenAIProvider({ apiKey: OPENAI_KEY, baseUrl: `${upstream.origin}/v1`, ...extra }));
  const azure = (extra: Partial<ConstructorParameters<typeof AzureOpenAIProvider>[0]> = {}) =>
    track(
      new AzureOpenAIProvider({
        apiKey: AZURE_KEY,
        endpoint: `${upstream.origin}/`,
        deployments: { 'gpt-4o-mini': 'chat-prod-eu', 'text-embedding-3-small': 'embed-prod-eu' },
        ...extra,
      }),
    );
  const compatible = (extra: Partial<ConstructorParameters<typeof OpenAICompatibleProvider>[0]> = {}) =>
    track(new OpenAICompatibleProvider({ name: 'vllm', baseUrl: `${upstream.origin}/v1`, ...extra }));

  beforeAll(() => upstream.start());
  afterAll(() => upstream.stop());
  beforeEach(() => {
    upstream.requests.length = 0;
  });
  afterEach(async () => {
    await Promise.all(providers.splice(0).map((provider) => provider.close()));
  });

  describe('OpenAIProvider', () => {
    it('POSTs a completion to <baseUrl>/chat/completions with a Bearer key and returns the answer', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('chat-completion.json'));
      const completion = await openai().complete(chatRequest, context());

      expect(completion).toEqual(readJsonFixture('chat-completion.json'));
      expect(upstream.requests).toHaveLength(1);
      const [request] = upstream.requests;
      expect(request.method).toBe('POST');
      expect(request.url).toBe('/v1/chat/completions');
      expect(request.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      expect(request.headers['content-type']).toBe('application/json');
      expect(request.headers.accept).toBe('application/json');
      expect(request.headers['api-key']).toBeUndefined();
      expect(request.body).toEqual(chatWireBody);
    });

    it('sends the organization, project and configured headers', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('chat-completion.json'));
      await openai({ organization: 'org-123', project: 'proj_456', headers: { 'x-team': 'search' } }).complete(chatRequest, context());
      expect(upstream.requests[0].headers).toMatchObject({
        'openai-organization': 'org-123',
        'openai-project': 'proj_456',
        'x-team': 'search',
        authorization: `Bearer ${OPENAI_KEY}`,
      });
    });

    it('streams chunks as they arrive, before the upstream has finished', async () => {
      const frames = sseFrames('stream-text.sse');
      const firstSeen = deferred();
      let serverFinished = false;
      upstream.handler = async (_req, res) => {
        startEventStream(res);
        res.write(frames[0] + frames[1]);
        await firstSeen.promise;
        for (const frame of frames.slice(2)) res.write(frame);
        res.end();
        serverFinished = true;
      };

      const iterator = openai().stream(chatRequest, context())[Symbol.asyncIterator]();
      const first = await within(iterator.next(), 3000, 'the first chunk while the upstream holds back the rest');
      expect(serverFinished).toBe(false);
      expect(first.value?.choices[0].delta).toEqual({ role: 'assistant', content: '', refusal: null });
      const second = await within(iterator.next(), 3000, 'the second chunk');
      expect(second.value?.choices[0].delta.content).toBe('Hello');
      firstSeen.resolve();

      const chunks = [first.value!, second.value!];
      for (let next = await iterator.next(); !next.done; next = await iterator.next()) chunks.push(next.value);
      expect(serverFinished).toBe(true);

      const stream = assemble(chunks);
      expect(stream.choices).toEqual([{ content: 'Hello! How can I help you today?', toolCalls: [], finishReason: 'stop' }]);
      expect(stream.usage).toMatchObject({ prompt_tokens: 19, completion_tokens: 10, total_tokens: 29 });

      const [request] = upstream.requests;
      expect(request.url).toBe('/v1/chat/completions');
      expect(request.headers.accept).toBe('text/event-stream');
      expect(request.body).toEqual({ ...chatWireBody, stream: true, stream_options: { include_usage: true } });
    });

    it('streams parallel tool calls whose arguments arrive in many small writes', async () => {
      upstream.handler = async (_req, res) => {
        startEventStream(res);
        const text = readFixture('stream-parallel-tool-calls.sse');
        for (let i = 0; i < text.length; i += 97) {
          res.write(text.slice(i, i + 97));
          await new Promise((resolve) => setImmediate(resolve));
        }
        res.end();
      };
      const stream = assemble(await drain(openai().stream(chatRequest, context())));
      expect(stream.choices[0].toolCalls.map((call) => JSON.parse(call.function.arguments))).toEqual([
        { location: 'Paris' },
        { location: 'Tokyo' },
      ]);
      expect(stream.choices[0].finishReason).toBe('tool_calls');
    });

    it('keeps connections alive for reuse after complete streams and completions', async () => {
      upstream.handler = (req, res, request) => {
        if ((request.body as ChatRequest).stream) {
          startEventStream(res);
          res.write(readFixture('stream-text.sse'));
          // The chunked body ends a little after [DONE]: reading on to that end is what keeps the socket.
          setTimeout(() => res.end(), 15);
        } else {
          sendJson(res, 200, readJsonFixture('chat-completion.json'));
        }
      };
      const provider = openai();
      const before = upstream.connections.length;
      for (const kind of ['stream', 'complete', 'stream', 'stream', 'complete', 'complete', 'stream']) {
        if (kind === 'stream') await drain(provider.stream(chatRequest, context()));
        else await provider.complete(chatRequest, context());
      }
      expect(upstream.requests).toHaveLength(7);
      // The pool may open a second socket while the first finishes its response, but none is
      // thrown away: a stream read to its end leaves its socket reusable.
      const opened = upstream.connections.slice(before);
      expect(opened.length).toBeLessThanOrEqual(2);
      expect(opened.filter((connection) => connection.closed)).toEqual([]);
    });

    it('POSTs embeddings to <baseUrl>/embeddings', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('embeddings.json'));
      const response = await openai().embed!(embeddingRequest, context());
      expect(response).toEqual(readJsonFixture('embeddings.json'));
      expect(upstream.requests[0].url).toBe('/v1/embeddings');
      expect(upstream.requests[0].headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
      expect(upstream.requests[0].body).toEqual(embeddingRequest);
    });
  });

  describe('AzureOpenAIProvider', () => {
    it('POSTs to the deployment URL with the api-key header and no Bearer token', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('chat-completion.json'));
      const provider = azure();
      const completion = await provider.complete(chatRequest, context());

      expect(completion.choices[0].message.content).toContain('skeletons');
      const [request] = upstream.requests;
      expect(request.url).toBe('/openai/deployments/chat-prod-eu/chat/completions?api-version=2024-10-21');
      expect(request.headers['api-key']).toBe(AZURE_KEY);
      expect(request.headers.authorization).toBeUndefined();
      expect(request.body).toEqual(chatWireBody);
      expect(provider.type).toBe('azure-openai');
      expect(provider.models).toEqual(['gpt-4o-mini', 'text-embedding-3-small']);
    });

    it('uses an unmapped model as the deployment name, URL-encoded, and the configured API version', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('chat-completion.json'));
      await azure({ apiVersion: '2025-01-01-preview' }).complete({ ...chatRequest, model: 'my deployment/v2' }, context());
      expect(upstream.requests[0].url).toBe('/openai/deployments/my%20deployment%2Fv2/chat/completions?api-version=2025-01-01-preview');
    });

    it('streams from the deployment URL and drops the content-filter annotation chunk', async () => {
      upstream.handler = (_req, res) => {
        startEventStream(res);
        res.end(readFixture('azure-stream-content-filter.sse'));
      };
      const chunks = await drain(azure().stream(chatRequest, context()));
      expect(upstream.requests[0].url).toBe('/openai/deployments/chat-prod-eu/chat/completions?api-version=2024-10-21');
      expect(upstream.requests[0].headers.accept).toBe('text/event-stream');
      expect(chunks.some((chunk) => chunk.id === '')).toBe(false);
      const stream = assemble(chunks);
      expect(stream.choices[0]).toEqual({ content: 'Hello!', toolCalls: [], finishReason: 'stop' });
      expect(stream.usage?.total_tokens).toBe(11);
    });

    it('POSTs embeddings to the embedding deployment URL', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('embeddings.json'));
      const response = await azure().embed!(embeddingRequest, context());
      expect(response.data).toHaveLength(2);
      expect(upstream.requests[0].url).toBe('/openai/deployments/embed-prod-eu/embeddings?api-version=2024-10-21');
      expect(upstream.requests[0].headers['api-key']).toBe(AZURE_KEY);
    });

    it("maps Azure's 429 to 429 with the wait from retry-after-ms", async () => {
      upstream.handler = (_req, res) =>
        sendJson(res, 429, readJsonFixture('azure-error-rate-limit.json'), { 'retry-after': '6', 'retry-after-ms': '5400' });
      const error = await caught(azure().complete(chatRequest, context()));
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ status: 429, code: 'upstream_rate_limited', retryAfterSeconds: 6, upstreamStatus: 429, provider: 'azure-openai' });
      expect((error as HubError).message).toContain('have exceeded token rate limit of your current OpenAI S0 pricing tier');
    });

    it('maps a missing deployment to 404', async () => {
      upstream.handler = (_req, res) => sendJson(res, 404, readJsonFixture('azure-error-deployment-not-found.json'));
      const error = await caught(azure().complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 404, code: 'upstream_not_found' });
      expect((error as HubError).message).toContain('The API deployment for this resource does not exist');
    });

    it('redacts the key from an error text, also where the text is cut to 500 characters', async () => {
      // A proxy's plain-text error that echoes the key across the 500-character cut.
      const body = `${'x'.repeat(490)} key ${AZURE_KEY} was rejected`;
      upstream.handler = (_req, res) => {
        res.writeHead(401, { 'content-type': 'text/plain' });
        res.end(body);
      };
      const error = await caught(azure().complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 401, code: 'upstream_authentication_failed' });
      const message = (error as HubError).message;
      expect(message).toContain(' key [REDA'); // the cut falls inside the marker, not inside the key
      expect(message).not.toContain(AZURE_KEY.slice(0, 6));
    });
  });

  describe('OpenAICompatibleProvider', () => {
    it('sends no authorization header when it has no key', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('chat-completion.json'));
      const provider = compatible({ models: ['llama-3.1-8b'] });
      await provider.complete(chatRequest, context());
      expect(upstream.requests[0].url).toBe('/v1/chat/completions');
      expect(upstream.requests[0].headers.authorization).toBeUndefined();
      expect(upstream.requests[0].headers['api-key']).toBeUndefined();
      expect(provider.type).toBe('openai-compatible');
      expect(provider.models).toEqual(['llama-3.1-8b']);
    });

    it('sends a Bearer key when it has one, and tolerates a trailing slash on the base URL', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('chat-completion.json'));
      await compatible({ apiKey: 'gsk_compatKey123', baseUrl: `${upstream.origin}/openai/v1/` }).complete(chatRequest, context());
      expect(upstream.requests[0].url).toBe('/openai/v1/chat/completions');
      expect(upstream.requests[0].headers.authorization).toBe('Bearer gsk_compatKey123');
    });

    it('accepts a stream that ends after a finish_reason without [DONE]', async () => {
      upstream.handler = (_req, res) => {
        startEventStream(res);
        res.end(readFixture('stream-finish-no-done.sse'));
      };
      const stream = assemble(await drain(compatible().stream(chatRequest, context())));
      expect(stream.choices).toEqual([{ content: 'Done.', toolCalls: [], finishReason: 'stop' }]);
    });

    it('embeds at <baseUrl>/embeddings, unless configured without embeddings', async () => {
      upstream.handler = (_req, res) => sendJson(res, 200, readJsonFixture('embeddings.json'));
      expect((await compatible().embed!(embeddingRequest, context())).model).toBe('text-embedding-3-small');
      expect(upstream.requests[0].url).toBe('/v1/embeddings');
      expect(compatible({ embeddings: false }).embed).toBeUndefined();
    });
  });

  describe('upstream HTTP errors', () => {
    it('maps 429 to 429 with the Retry-After wait and the upstream message', async () => {
      upstream.handler = (_req, res) => sendJson(res, 429, readJsonFixture('error-rate-limit.json'), { 'retry-after': '20' });
      const error = await caught(openai().complete(chatRequest, context()));
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ status: 429, type: 'rate_limit_error', code: 'upstream_rate_limited', retryAfterSeconds: 20, upstreamStatus: 429 });
      expect((error as HubError).message).toMatch(/^openai returned HTTP 429: Rate limit reached for gpt-4o-mini/);
      expect((error as HubError).retryable).toBe(true);
    });

    it("maps OpenAI's insufficient_quota 429 to upstream_quota_exceeded: not retryable, not an outage", async () => {
      upstream.handler = (_req, res) => sendJson(res, 429, readJsonFixture('error-insufficient-quota.json'));
      const error = await caught(openai().complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 429, type: 'insufficient_quota', code: 'upstream_quota_exceeded', upstreamStatus: 429 });
      expect((error as HubError).retryable).toBe(false);
      expect((error as HubError).countsAgainstBreaker).toBe(false);
    });

    it('rejects the first chunk of a stream with the same 429', async () => {
      upstream.handler = (_req, res) => sendJson(res, 429, readJsonFixture('error-rate-limit.json'), { 'retry-after': '3' });
      const error = await caught(openai().stream(chatRequest, context())[Symbol.asyncIterator]().next());
      expect(error).toMatchObject({ status: 429, retryAfterSeconds: 3 });
    });

    it('maps 500 to 502 and keeps the upstream status', async () => {
      upstream.handler = (_req, res) => sendJson(res, 500, readJsonFixture('error-server.json'));
      const error = await caught(openai().complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 502, type: 'api_error', code: 'upstream_error', upstreamStatus: 500 });
      expect((error as HubError).message).toBe(
        'openai returned HTTP 500: The server had an error while processing your request. Sorry about that!',
      );
    });

    it("uses a short excerpt of a non-JSON error page (a proxy's HTML)", async () => {
      const page = `<html><head><title>502 Bad Gateway</title></head><body>${'<p>nginx</p>'.repeat(200)}</body></html>`;
      upstream.handler = (_req, res) => {
        res.writeHead(503, { 'content-type': 'text/html' });
        res.end(`\n  ${page}\n`);
      };
      const error = await caught(openai().complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 502, upstreamStatus: 503 });
      expect((error as HubError).message).toBe(`openai returned HTTP 503: ${page.slice(0, 500)}`);
    });

    it('names the status when the error body is empty', async () => {
      upstream.handler = (_req, res) => {
        res.writeHead(403);
        res.end();
      };
      const error = await caught(openai().complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 403, code: 'upstream_permission_denied', message: 'openai returned HTTP 403: HTTP 403' });
    });

    it('redacts the API key the upstream echoes in its error', async () => {
      upstream.handler = (_req, res) =>
        sendJson(res, 401, { error: { message: `Incorrect API key provided: ${OPENAI_KEY}.`, type: 'invalid_request_error', param: null, code: 'invalid_api_key' } });
      const error = await caught(openai().complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 401, code: 'upstream_authentication_failed' });
      expect((error as HubError).message).toBe('openai returned HTTP 401: Incorrect API key provided: [REDACTED].');
    });

    it("redacts the masked key OpenAI's real 401 contains", async () => {
      upstream.handler = (_req, res) => sendJson(res, 401, readJsonFixture('error-invalid-api-key.json'));
      const message = ((await caught(openai().complete(chatRequest, context()))) as HubError).message;
      expect(message).toContain('Incorrect API key provided: [REDACTED].');
      expect(message).not.toContain('Vx9Q');
    });

    it('redacts the API key from an error sent inside the stream', async () => {
      upstream.handler = (_req, res) => {
        startEventStream(res);
        res.write(sseFrames('stream-text.sse')[0]);
        res.write(`data: ${JSON.stringify({ error: { message: `Key ${OPENAI_KEY} lost its quota`, type: 'insufficient_quota', param: null, code: 'insufficient_quota' } })}\n\n`);
        res.end('data: [DONE]\n\n');
      };
      const chunks: ChatCompletionChunk[] = [];
      const error = await caught(drain(openai().stream(chatRequest, context()), chunks));
      expect(chunks).toHaveLength(1);
      expect(error).toMatchObject({ status: 502, upstreamStatus: 500 });
      expect((error as HubError).message).toBe('openai returned HTTP 500: Key [REDACTED] lost its quota');
    });

    it('maps a 200 answer that is not JSON to 502 upstream_bad_response', async () => {
      upstream.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"id":"chatcmpl-1","choices":[');
      };
      const error = await caught(openai().complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 502, code: 'upstream_bad_response' });
    });
  });

  describe('connection failures', () => {
    async function closedPort(): Promise<number> {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const { port } = server.address() as AddressInfo;
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }

    it('maps a refused connection to 502 upstream_connection_error, for completions, streams and embeddings', async () => {
      const provider = track(new OpenAIProvider({ apiKey: OPENAI_KEY, baseUrl: `http://127.0.0.1:${await closedPort()}/v1` }));
      for (const attempt of [
        provider.complete(chatRequest, context()),
        provider.stream(chatRequest, context())[Symbol.asyncIterator]().next(),
        provider.embed!(embeddingRequest, context()),
      ]) {
        const error = await caught(attempt);
        expect(error).toBeInstanceOf(HubError);
        expect(error).toMatchObject({ status: 502, code: 'upstream_connection_error', provider: 'openai' });
        expect((error as HubError).message).toMatch(/^Could not reach the provider 'openai' \(.*ECONNREFUSED.*\)\.$/);
        expect((error as HubError).retryable).toBe(true);
      }
    });

    it('maps a stream the server cuts (socket destroyed) to upstream_stream_interrupted, after the chunks before it', async () => {
      const frames = sseFrames('stream-text.sse');
      upstream.handler = async (_req, res) => {
        startEventStream(res);
        res.write(frames[0] + frames[1] + frames[2]);
        await new Promise((resolve) => setTimeout(resolve, 20));
        res.socket?.destroy();
      };
      const chunks: ChatCompletionChunk[] = [];
      const error = await caught(drain(openai().stream(chatRequest, context()), chunks));
      expect(assemble(chunks).choices[0].content).toBe('Hello!');
      expect(error).toBeInstanceOf(HubError);
      expect(error).toMatchObject({ status: 502, code: 'upstream_stream_interrupted', provider: 'openai' });
    });

    it('maps a stream that ends cleanly but before a finish_reason or [DONE] to upstream_stream_interrupted', async () => {
      upstream.handler = (_req, res) => {
        startEventStream(res);
        res.end(readFixture('stream-cut.sse'));
      };
      const chunks: ChatCompletionChunk[] = [];
      const error = await caught(drain(openai().stream(chatRequest, context()), chunks));
      expect(assemble(chunks).choices[0].content).toBe('Once upon a time');
      expect(error).toMatchObject({ status: 502, code: 'upstream_stream_interrupted' });
    });
  });

  describe('upstream limits', () => {
    const limited = (upstreamLimits: ConstructorParameters<typeof OpenAIProvider>[0]['upstream']) => openai({ upstream: upstreamLimits });

    it('answers 502 upstream_response_too_large, not retryable, for an answer over maxResponseBytes, and stops reading it', async () => {
      const closed = deferred();
      upstream.handler = (_req, res) => {
        res.on('close', () => closed.resolve());
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write(`{"id":"chatcmpl-1","choices":[{"message":{"content":"${'a'.repeat(64 * 1024)}`); // and hold the rest
      };
      const error = await caught(limited({ maxResponseBytes: 16 * 1024 }).complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 502, type: 'api_error', code: 'upstream_response_too_large', provider: 'openai' });
      expect((error as HubError).message).toContain('16384 bytes (upstream.maxResponseBytes)');
      expect((error as HubError).retryable).toBe(false);
      await within(closed.promise, 3000, 'the server to see the answer abandoned');
    });

    it('answers the same for an error body over the limit on a stream request', async () => {
      upstream.handler = (_req, res) => sendJson(res, 500, { error: { message: 'x'.repeat(64 * 1024) } });
      const error = await caught(limited({ maxResponseBytes: 16 * 1024 }).stream(chatRequest, context())[Symbol.asyncIterator]().next());
      expect(error).toMatchObject({ status: 502, code: 'upstream_response_too_large' });
    });

    it('ends a stream with upstream_response_too_large at an event over maxEventBytes, after the chunks before it', async () => {
      const frames = sseFrames('stream-text.sse');
      upstream.handler = (_req, res) => {
        startEventStream(res);
        res.write(frames[0]);
        res.write(`data: {"choices":[{"index":0,"delta":{"content":"${'b'.repeat(64 * 1024)}`); // a line that never ends
      };
      const chunks: ChatCompletionChunk[] = [];
      const error = await caught(drain(limited({ maxEventBytes: 16 * 1024 }).stream(chatRequest, context()), chunks));
      expect(chunks).toHaveLength(1);
      expect(error).toMatchObject({ status: 502, code: 'upstream_response_too_large' });
      expect((error as HubError).message).toContain('16384 bytes (upstream.maxEventBytes)');
    });

    it('answers 504 upstream_timeout when a JSON body stops coming for bodyIdleTimeoutMs', async () => {
      upstream.handler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.write('{"id":"chatcmpl-1",'); // and nothing more
      };
      const error = await caught(limited({ bodyIdleTimeoutMs: 200 }).complete(chatRequest, context()));
      expect(error).toMatchObject({ status: 504, type: 'timeout_error', code: 'upstream_timeout' });
      expect((error as HubError).message).toBe("The provider 'openai' sent nothing more of its answer for 200 ms.");
    });

    it('answers 504 upstream_timeout when a stream sends no headers within streamHeadersTimeoutMs', async () => {
      upstream.handler = () => undefined; // never answers
      const error = await caught(limited({ streamHeadersTimeoutMs: 200 }).stream(chatRequest, context())[Symbol.asyncIterator]().next());
      expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
      expect((error as HubError).message).toBe("The provider 'openai' sent no response headers within 200 ms.");
    });

    it('waits for the headers of a JSON answer as long as the caller does (they come with the finished answer)', async () => {
      upstream.handler = async (_req, res) => {
        await new Promise((resolve) => setTimeout(resolve, 400));
        sendJson(res, 200, readJsonFixture('chat-completion.json'));
      };
      const completion = await limited({ streamHeadersTimeoutMs: 100, bodyIdleTimeoutMs: 100 }).complete(chatRequest, context());
      expect(completion.object).toBe('chat.completion');
    });

    it('answers upstream_timeout when a started stream sends no event for bodyIdleTimeoutMs, but not before its first', async () => {
      const frames = sseFrames('stream-text.sse');
      upstream.handler = async (_req, res) => {
        startEventStream(res);
        await new Promise((resolve) => setTimeout(resolve, 400)); // silent thinking before the first event
        res.write(frames[0]);
        res.write('data: {"choi'); // then a stall mid-event
      };
      const chunks: ChatCompletionChunk[] = [];
      const error = await caught(drain(limited({ bodyIdleTimeoutMs: 150 }).stream(chatRequest, context()), chunks));
      expect(chunks).toHaveLength(1);
      expect(error).toMatchObject({ status: 504, code: 'upstream_timeout' });
      expect((error as HubError).message).toBe("The provider 'openai' sent nothing more of its answer for 150 ms.");
    });
  });

  describe('aborting', () => {
    it('rejects a pending completion with the signal reason and closes the upstream request', async () => {
      const arrived = deferred();
      const closed = deferred();
      upstream.handler = (_req, res) => {
        res.on('close', () => closed.resolve());
        arrived.resolve(); // and never answer
      };
      const controller = new AbortController();
      const reason = new Error('the client went away');
      const pending = openai().complete(chatRequest, context(controller.signal));
      await within(arrived.promise, 3000, 'the request to reach the server');
      controller.abort(reason);
      await expect(pending).rejects.toBe(reason);
      await within(closed.promise, 3000, 'the server to see the request closed');
    });

    it('rejects a stream mid-way with the signal reason and closes the upstream response', async () => {
      const closed = deferred();
      upstream.handler = (_req, res) => {
        res.on('close', () => closed.resolve());
        startEventStream(res);
        res.write(sseFrames('stream-text.sse')[0]); // and hold the rest back
      };
      const controller = new AbortController();
      const reason = new HubError({ status: 504, type: 'timeout_error', code: 'upstream_timeout', message: 'too slow' });
      const iterator = openai().stream(chatRequest, context(controller.signal))[Symbol.asyncIterator]();
      const first = await within(iterator.next(), 3000, 'the first chunk');
      expect(first.done).toBe(false);
      const next = iterator.next();
      controller.abort(reason);
      await expect(next).rejects.toBe(reason);
      await within(closed.promise, 3000, 'the server to see the stream closed');
    });

    it('rejects at once, without calling the upstream, when the signal is already aborted', async () => {
      const controller = new AbortController();
      const reason = new Error('already gone');
      controller.abort(reason);
      await expect(openai().complete(chatRequest, context(controller.signal))).rejects.toBe(reason);
      await expect(openai().stream(chatRequest, context(controller.signal))[Symbol.asyncIterator]().next()).rejects.toBe(reason);
      expect(upstream.requests).toHaveLength(0);
    });

    it('closes the upstream response when the consumer stops reading early', async () => {
      const closed = deferred();
      upstream.handler = (_req, res) => {
        res.on('close', () => closed.resolve());
        startEventStream(res);
        res.write(sseFrames('stream-text.sse')[0]);
      };
      for await (const chunk of openai().stream(chatRequest, context())) {
        expect(chunk.choices[0].delta.role).toBe('assistant');
        break;
      }
      await within(closed.promise, 3000, 'the server to see the stream closed');
    });
  });
});
