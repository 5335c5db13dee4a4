import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ChatCompletionChunk, ChatRequest, ProviderCallContext } from '@llm-connector-hub/core';
import { HubError } from '@llm-connector-hub/core';
import { GoogleProvider } from './google.provider';
import { fixtureText, streamedContent } from './google.spec-helpers';

/** Drives GoogleProvider through the real HTTP transport against a local stand-in for Gemini. */

interface Seen {
  method?: string;
  url?: string;
  apiKey?: string | string[];
  body?: unknown;
}

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

const API_KEY = 'AIzaSyTEST-not-a-real-key-1234567';
let server: Server;
let handler: Handler;
let seen: Seen;
let provider: GoogleProvider;

const context = (): ProviderCallContext => ({ signal: new AbortController().signal, requestId: 'req-1' });
const request: ChatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] };

function reply(status: number, body: string, contentType = 'application/json'): Handler {
  return (_req, res) => {
    res.writeHead(status, { 'content-type': contentType });
    res.end(body);
  };
}

/** Writes the body in small pieces with pauses, as a real stream arrives. */
function stream(body: string, end = true): Handler {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    const bytes = Buffer.from(body, 'utf8');
    let offset = 0;
    const tick = () => {
      if (offset >= bytes.length) {
        if (end) res.end();
        else res.destroy();
        return;
      }
      res.write(bytes.subarray(offset, offset + 50));
      offset += 50;
      setTimeout(tick, 1);
    };
    tick();
  };
}

async function collect(iterable: AsyncIterable<ChatCompletionChunk>): Promise<{ chunks: ChatCompletionChunk[]; error?: unknown }> {
  const chunks: ChatCompletionChunk[] = [];
  try {
    for await (const chunk of iterable) chunks.push(chunk);
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

beforeAll(async () => {
  server = createServer((req, res) => {
    let raw = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => (raw += part));
    req.on('end', () => {
      seen = { method: req.method, url: req.url, apiKey: req.headers['x-goog-api-key'], body: raw ? JSON.parse(raw) : undefined };
      handler(req, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  const { port } = server.address() as AddressInfo;
  provider = new GoogleProvider({ apiKey: API_KEY, baseUrl: `http://127.0.0.1:${port}`, models: ['gemini-2.5-flash'] });
});

afterEach(async () => {
  await provider.close();
});

describe('GoogleProvider', () => {
  it('is a google provider advertising its models', () => {
    expect(provider.type).toBe('google');
    expect(provider.models).toEqual(['gemini-2.5-flash']);
    expect(provider.embed).toBeDefined();
  });

  it('completes through generateContent with the key in x-goog-api-key', async () => {
    handler = reply(200, fixtureText('generate-text.json'));
    const completion = await provider.complete({ ...request, max_tokens: 20 }, context());
    expect(seen).toEqual({
      method: 'POST',
      url: '/v1beta/models/gemini-2.5-flash:generateContent',
      apiKey: API_KEY,
      body: { contents: [{ role: 'user', parts: [{ text: 'Hi' }] }], generationConfig: { maxOutputTokens: 20 } },
    });
    expect(completion.choices[0].message.content).toBe('The capital of France is Paris.');
  });

  it('streams through streamGenerateContent?alt=sse', async () => {
    handler = stream(fixtureText('stream-function-call.sse'));
    const { chunks, error } = await collect(provider.stream(request, context()));
    expect(error).toBeUndefined();
    expect(seen.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(streamedContent(chunks)).toBe('Let me check both cities.');
    expect(chunks.flatMap((c) => c.choices).map((c) => c.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
    expect(chunks[chunks.length - 1].usage?.total_tokens).toBe(201);
  });

  it('fails a stream whose connection ends before a finishReason', async () => {
    handler = stream(fixtureText('stream-interrupted.sse'), false);
    const { chunks, error } = await collect(provider.stream(request, context()));
    expect(streamedContent(chunks)).toBe('The first three primes are 2, 3');
    expect(error).toBeInstanceOf(HubError);
    expect((error as HubError).code).toBe('upstream_stream_interrupted');
  });

  it('embeds through batchEmbedContents', async () => {
    handler = reply(200, fixtureText('batch-embed-contents.json'));
    const response = await provider.embed!({ model: 'gemini-embedding-001', input: ['a', 'b'] }, context());
    expect(seen.url).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(seen.apiKey).toBe(API_KEY);
    expect(response.data).toHaveLength(2);
  });

  it("passes a 429 on as a rate limit with Google's message", async () => {
    handler = reply(429, fixtureText('error-rate-limited.json'));
    await expect(provider.complete(request, context())).rejects.toMatchObject({
      status: 429,
      code: 'upstream_rate_limited',
      provider: 'google',
      message: expect.stringContaining('You exceeded your current quota'),
    });
  });

  it('reads an array error body and never leaks the API key', async () => {
    handler = reply(400, JSON.stringify([{ error: { code: 400, message: `API key not valid: ${API_KEY}`, status: 'INVALID_ARGUMENT' } }]));
    const error = await provider.complete(request, context()).then(
      () => undefined,
      (e: unknown) => e as HubError,
    );
    expect(error?.status).toBe(400);
    expect(error?.message).toContain('API key not valid');
    expect(error?.message).not.toContain(API_KEY);
  });
});
