import type { ChatCompletionChunk } from '@llm-connector-hub/core';
import { ChatStream, type StreamOutcome } from './chat-stream';
import { LazyStream } from './lazy-stream';

function chunk(content: string): ChatCompletionChunk {
  return { id: 'c', object: 'chat.completion.chunk', created: 0, model: 'm', choices: [{ index: 0, delta: { content }, finish_reason: null }] };
}

async function* source(contents: string[], failWith?: Error, closed?: () => void): AsyncGenerator<ChatCompletionChunk> {
  try {
    for (const content of contents) yield chunk(content);
    if (failWith) throw failWith;
  } finally {
    closed?.();
  }
}

async function texts(stream: AsyncIterable<ChatCompletionChunk>): Promise<string[]> {
  const seen: string[] = [];
  for await (const item of stream) seen.push(item.choices[0]?.delta.content ?? '');
  return seen;
}

describe('ChatStream', () => {
  it('opens with the first chunk in hand, and a failure before it rejects open()', async () => {
    let pulled = 0;
    const counting = (async function* () {
      pulled += 1;
      yield chunk('a');
    })();
    const stream = await ChatStream.open(counting);
    expect(pulled).toBe(1);
    expect(await texts(stream)).toEqual(['a']);

    await expect(ChatStream.open(source([], new Error('refused')))).rejects.toThrow('refused');
  });

  it('runs chunk hooks on every chunk and end hooks once, in the order they were added', async () => {
    const log: string[] = [];
    const stream = (await ChatStream.open(source(['a', 'b'])))
      .onChunk((c) => log.push(`inner ${c.choices[0]?.delta.content}`))
      .onChunk((c) => log.push(`outer ${c.choices[0]?.delta.content}`))
      .onEnd((outcome) => void log.push(`inner end ${outcome.kind}`))
      .onEnd((outcome) => void log.push(`outer end ${outcome.kind}`));
    expect(await texts(stream)).toEqual(['a', 'b']);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
    expect(log).toEqual(['inner a', 'outer a', 'inner b', 'outer b', 'inner end completed', 'outer end completed']);
  });

  it('maps a failure mid-stream through every error map, and awaits end hooks before the consumer sees it', async () => {
    const outcomes: StreamOutcome[] = [];
    let recorded = false;
    const stream = (await ChatStream.open(source(['a'], new Error('upstream broke'))))
      .mapError((error) => new Error(`inner(${(error as Error).message})`))
      .mapError((error) => new Error(`outer(${(error as Error).message})`))
      .onEnd(async (outcome) => {
        await new Promise((resolve) => setImmediate(resolve));
        recorded = true;
        outcomes.push(outcome);
      });
    await stream.next();
    const failure = await stream.next().catch((error: Error) => error);
    expect((failure as Error).message).toBe('outer(inner(upstream broke))');
    expect(recorded).toBe(true);
    expect(outcomes).toEqual([{ kind: 'failed', error: failure }]);
  });

  it('a consumer that stops early closes the source and ends the stream as closed', async () => {
    let sourceClosed = false;
    const outcomes: string[] = [];
    const stream = (await ChatStream.open(source(['a', 'b', 'c'], undefined, () => (sourceClosed = true)))).onEnd((outcome) => void outcomes.push(outcome.kind));
    for await (const item of stream) {
      expect(item.choices[0]?.delta.content).toBe('a');
      break;
    }
    expect(sourceClosed).toBe(true);
    expect(outcomes).toEqual(['closed']);
    expect(await stream.next()).toEqual({ done: true, value: undefined });
  });

  it('replays chunks at hand (a cached answer)', async () => {
    expect(await texts(ChatStream.of([chunk('x'), chunk('y')]))).toEqual(['x', 'y']);
  });
});

describe('LazyStream', () => {
  it('opens nothing before the first next(), and that next() rejects with a failure to open', async () => {
    let opened = 0;
    const lazy = new LazyStream(async () => {
      opened += 1;
      return ChatStream.open(source(['a']));
    });
    expect(opened).toBe(0);
    expect(await texts(lazy)).toEqual(['a']);
    expect(opened).toBe(1);

    const failing = new LazyStream<ChatCompletionChunk>(() => Promise.reject(new Error('no route')));
    await expect(failing.next()).rejects.toThrow('no route');
    expect(await failing.next()).toEqual({ done: true, value: undefined });
  });

  it('return() closes the opened stream', async () => {
    let sourceClosed = false;
    const lazy = new LazyStream(() => ChatStream.open(source(['a', 'b'], undefined, () => (sourceClosed = true))));
    await lazy.next();
    await lazy.return();
    expect(sourceClosed).toBe(true);
  });
});
