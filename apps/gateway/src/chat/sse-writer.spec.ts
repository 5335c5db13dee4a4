import { EventEmitter } from 'node:events';
import { createServer, get, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubError, HubErrors, SseParser, toOpenAIErrorBody, upstreamHttpError, type ChatCompletionChunk } from '@llm-connector-hub/core';
import { writeSseStream, type SseWriteOptions } from './sse-writer';

function chunk(content: string): ChatCompletionChunk {
  return { id: 'chatcmpl-1', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] };
}

const usageChunk: ChatCompletionChunk = {
  id: 'chatcmpl-1',
  object: 'chat.completion.chunk',
  created: 1,
  model: 'm',
  choices: [],
  usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
};

type Item = ChatCompletionChunk | { fail: unknown };

/** The rest of a stream, as the hub hands it over: counts how often it is pulled and whether it was closed. */
class Source implements AsyncIterator<ChatCompletionChunk> {
  pulls = 0;
  returned = 0;

  constructor(private readonly items: Item[]) {}

  async next(): Promise<IteratorResult<ChatCompletionChunk>> {
    this.pulls += 1;
    const item = this.items.shift();
    if (item === undefined) return { done: true, value: undefined };
    if ('fail' in item) throw item.fail;
    return { done: false, value: item };
  }

  async return(): Promise<IteratorResult<ChatCompletionChunk>> {
    this.returned += 1;
    return { done: true, value: undefined };
  }
}

/** Just enough of a ServerResponse: records writes; `full` makes write() report a full buffer. */
class FakeResponse extends EventEmitter {
  readonly writes: string[] = [];
  full = false;
  destroyed = false;
  writableEnded = false;

  write(data: string): boolean {
    if (this.writableEnded) throw new Error('write after end');
    this.writes.push(data);
    return !this.full;
  }

  end(): void {
    this.writableEnded = true;
  }
}

async function run(items: Item[], options: Partial<SseWriteOptions> = {}, response = new FakeResponse()) {
  const source = new Source(items);
  const first = await source.next();
  await writeSseStream(response as unknown as ServerResponse, first, source, {
    includeUsage: false,
    signal: new AbortController().signal,
    ...options,
  });
  return { response, source };
}

const data = (payload: unknown) => `data: ${JSON.stringify(payload)}\n\n`;
const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('writeSseStream', () => {
  it("waits for an encoding's end before it writes it (the Responses API stores its answer first)", async () => {
    let stored = false;
    const encoding = {
      chunk: (c: ChatCompletionChunk) => `data: ${c.choices[0]?.delta.content}\n\n`,
      end: async () => {
        await tick();
        stored = true;
        return 'event: end\n\n';
      },
      error: (error: HubError) => `event: failed\ndata: ${error.code}\n\n`,
    };
    const { response } = await run([chunk('a')], { encoding });
    expect([stored, response.writes, response.writableEnded]).toEqual([true, ['data: a\n\n', 'event: end\n\n'], true]);
  });

  it('writes every chunk as an SSE data frame, then [DONE], then ends the response', async () => {
    const { response, source } = await run([chunk('Hel'), chunk('lo')]);
    expect(response.writes).toEqual([data(chunk('Hel')), data(chunk('lo')), 'data: [DONE]\n\n']);
    expect(response.writableEnded).toBe(true);
    expect(source.returned).toBe(0);
  });

  it('answers an empty stream with [DONE] alone', async () => {
    expect((await run([])).response.writes).toEqual(['data: [DONE]\n\n']);
  });

  it('drops usage-only chunks unless the client asked for usage', async () => {
    expect((await run([chunk('a'), usageChunk])).response.writes).toEqual([data(chunk('a')), 'data: [DONE]\n\n']);
    expect((await run([chunk('a'), usageChunk], { includeUsage: true })).response.writes).toEqual([
      data(chunk('a')),
      data(usageChunk),
      'data: [DONE]\n\n',
    ]);
  });

  it("frames the stream in a route's own encoding, skipping empty frames, and its error body when it fails", async () => {
    const encoding = {
      chunk: (c: ChatCompletionChunk) => (c.choices.length === 0 ? '' : `event: text\ndata: ${c.choices[0].delta.content}\n\n`),
      end: () => 'event: end\n\n',
      error: (error: HubError) => `event: error\ndata: ${error.code}\n\n`,
    };
    expect((await run([chunk('a'), usageChunk], { encoding })).response.writes).toEqual(['event: text\ndata: a\n\n', 'event: end\n\n']);
    const failed = await run([chunk('a'), { fail: upstreamHttpError('p', 500, 'boom') }], { encoding });
    expect(failed.response.writes).toEqual(['event: text\ndata: a\n\n', 'event: error\ndata: upstream_error\n\n']);
  });

  it("waits for 'drain' before pulling the next chunk when the client reads slowly", async () => {
    const response = new FakeResponse();
    response.full = true;
    const source = new Source([chunk('a'), chunk('b'), chunk('c')]);
    const first = await source.next();
    const done = writeSseStream(response as unknown as ServerResponse, first, source, { includeUsage: false, signal: new AbortController().signal });
    await tick();
    expect(response.writes).toEqual([data(chunk('a'))]);
    expect(source.pulls).toBe(1);

    response.emit('drain');
    await tick();
    expect(response.writes).toEqual([data(chunk('a')), data(chunk('b'))]);
    expect(source.pulls).toBe(2);

    response.full = false;
    response.emit('drain');
    await done;
    expect(response.writes).toEqual([data(chunk('a')), data(chunk('b')), data(chunk('c')), 'data: [DONE]\n\n']);
    expect(response.listenerCount('drain')).toBe(0);
    expect(response.listenerCount('close')).toBe(0);
  });

  it('stops waiting, writes nothing more and closes the upstream when the client leaves during a drain', async () => {
    const response = new FakeResponse();
    response.full = true;
    const controller = new AbortController();
    const source = new Source([chunk('a'), chunk('b')]);
    const done = writeSseStream(response as unknown as ServerResponse, await source.next(), source, {
      includeUsage: false,
      signal: controller.signal,
    });
    await tick();
    controller.abort();
    await done;
    expect(response.writes).toEqual([data(chunk('a'))]);
    expect(source.returned).toBe(1);
    expect(response.writableEnded).toBe(true);
  });

  it('ends the stream with the shutdown error event when a shutdown aborts it during a drain', async () => {
    const response = new FakeResponse();
    response.full = true;
    const controller = new AbortController();
    const shutdown = new HubError({ status: 503, type: 'api_error', code: 'shutting_down', message: 'The gateway shut down before the request finished.' });
    // The provider had already parsed the next chunk, so it hands it over without noticing the abort.
    const source = new Source([chunk('a'), chunk('b'), chunk('c')]);
    const done = writeSseStream(response as unknown as ServerResponse, await source.next(), source, {
      includeUsage: false,
      signal: controller.signal,
    });
    await tick();
    controller.abort(shutdown);
    await done;
    expect(response.writes).toEqual([data(chunk('a')), data(toOpenAIErrorBody(shutdown))]);
    expect(source.returned).toBe(1);
    expect(response.writableEnded).toBe(true);
  });

  it('ends a stream that fails after its first chunk with an OpenAI error event and no [DONE]', async () => {
    const onError = jest.fn();
    const failure = HubErrors.streamInterrupted('anthropic', 'connection reset');
    const { response } = await run([chunk('Hel'), { fail: failure }], { onError });
    expect(response.writes).toEqual([
      data(chunk('Hel')),
      data({ error: { message: failure.message, type: 'api_error', param: null, code: 'upstream_stream_interrupted' } }),
    ]);
    expect(response.writableEnded).toBe(true);
    expect(onError).toHaveBeenCalledWith(failure);
  });

  it('reports a timeout and a shutdown in-band too', async () => {
    const timeout = HubErrors.upstreamTimeout('openai', 30_000);
    expect((await run([chunk('a'), { fail: timeout }])).response.writes[1]).toBe(data({ error: { message: timeout.message, type: 'timeout_error', param: null, code: 'upstream_timeout' } }));
    const upstream = upstreamHttpError('openai', 500, 'boom');
    expect(JSON.parse((await run([chunk('a'), { fail: upstream }])).response.writes[1].slice(6)).error.code).toBe('upstream_error');
  });

  it('reports an unexpected error as a generic internal_error, revealing nothing', async () => {
    const onError = jest.fn();
    const { response } = await run([chunk('a'), { fail: new TypeError("Cannot read properties of undefined (reading 'x') at /srv/app.js") }], { onError });
    expect(response.writes).toEqual([
      data(chunk('a')),
      data({ error: { message: 'The gateway failed while streaming.', type: 'api_error', param: null, code: 'internal_error' } }),
    ]);
    expect(onError).toHaveBeenCalledTimes(1);
  });

  it('writes nothing more when the client closed the request', async () => {
    const onError = jest.fn();
    const { response } = await run([chunk('a'), { fail: HubErrors.clientClosed() }], { onError });
    expect(response.writes).toEqual([data(chunk('a'))]);
    expect(response.writableEnded).toBe(true);
    expect(onError).not.toHaveBeenCalled();
  });

  it('writes nothing at all when the client is already gone, and closes the upstream', async () => {
    const controller = new AbortController();
    controller.abort();
    const { response, source } = await run([chunk('a'), chunk('b')], { signal: controller.signal });
    expect(response.writes).toEqual([]);
    expect(source.returned).toBe(1);
    expect(response.writableEnded).toBe(true);
  });

  it('does not write an error event to a destroyed response', async () => {
    const response = new FakeResponse();
    const source = new Source([chunk('a'), { fail: HubErrors.streamInterrupted('p', 'cut') }]);
    const first = await source.next();
    const original = response.write.bind(response);
    response.write = (text: string) => {
      const ok = original(text);
      response.destroyed = true;
      return ok;
    };
    await writeSseStream(response as unknown as ServerResponse, first, source, { includeUsage: false, signal: new AbortController().signal });
    expect(response.writes).toEqual([data(chunk('a'))]);
  });

  describe('over a real socket', () => {
    let server: Server;
    let port: number;
    let source: Source;

    beforeEach(async () => {
      server = createServer((_req, res) => {
        void (async () => {
          res.writeHead(200, { 'content-type': 'text/event-stream' });
          await writeSseStream(res, await source.next(), source, { includeUsage: false, signal: new AbortController().signal });
        })();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      port = (server.address() as AddressInfo).port;
    });

    afterEach(async () => {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    });

    it('stops pulling while the client does not read, then delivers every chunk and [DONE]', async () => {
      const big = 'x'.repeat(64 * 1024);
      const total = 400;
      source = new Source(Array.from({ length: total }, (_, i) => chunk(`${i}:${big}`)));
      const response = await new Promise<IncomingMessage>((resolve) => get({ host: '127.0.0.1', port, path: '/' }, resolve));
      response.pause();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(source.pulls).toBeLessThan(total);

      const parser = new SseParser();
      const events: string[] = [];
      response.setEncoding('utf8');
      response.on('data', (text: string) => events.push(...parser.push(text).map((e) => e.data)));
      response.resume();
      await new Promise((resolve) => response.on('end', resolve));
      expect(events).toHaveLength(total + 1);
      expect(events.at(-1)).toBe('[DONE]');
      expect(events.slice(0, total).map((e) => (JSON.parse(e) as ChatCompletionChunk).choices[0].delta.content!.split(':')[0])).toEqual(
        Array.from({ length: total }, (_, i) => String(i)),
      );
    });
  });
});
