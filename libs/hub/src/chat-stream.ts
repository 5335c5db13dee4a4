import type { ChatCompletionChunk } from '@llm-connector-hub/core';

/** How a stream ended: its last chunk passed, it failed (with the error the caller sees), or its consumer stopped early. */
export type StreamOutcome = { kind: 'completed' } | { kind: 'failed'; error: unknown } | { kind: 'closed' };

const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A chat stream that has started: its first result is in (ChatStream.open waits for it, so a
 * failure before the first chunk rejects like a failed complete(), and retry, fallback and timeouts
 * treat both alike). After that, the chunks flow through this one object, whatever the number of
 * layers: a layer that must know how the stream ends (a bulkhead slot, a breaker's outcome, the
 * cache's copy, the call's deadline) registers a hook on it rather than wrapping it in a
 * generator of its own, so a chunk costs one promise here, not one per layer.
 *
 * Hooks run in the order they were added, innermost layer first. They must not throw. An end hook
 * may return a promise: a failure or an early stop is passed on once such promises settled (the
 * breaker records a failure before the caller sees it).
 */
export class ChatStream implements AsyncIterableIterator<ChatCompletionChunk> {
  private first: IteratorResult<ChatCompletionChunk> | undefined;
  private ended = false;
  private readonly chunkHooks: Array<(chunk: ChatCompletionChunk) => void> = [];
  private readonly errorMaps: Array<(error: unknown) => unknown> = [];
  private readonly endHooks: Array<(outcome: StreamOutcome) => void | Promise<unknown>> = [];

  private constructor(
    private readonly source: AsyncIterator<ChatCompletionChunk>,
    first: IteratorResult<ChatCompletionChunk>,
  ) {
    this.first = first;
  }

  /** Starts `source` and resolves once its first result is in; rejects with its failure before that. */
  static async open(source: AsyncIterable<ChatCompletionChunk>): Promise<ChatStream> {
    const iterator = source[Symbol.asyncIterator]();
    return new ChatStream(iterator, await iterator.next());
  }

  /** A stream of chunks already at hand (a cached answer replayed). */
  static of(chunks: readonly ChatCompletionChunk[]): ChatStream {
    const items = chunks[Symbol.iterator]();
    return new ChatStream({ next: () => Promise.resolve(items.next()) }, items.next());
  }

  /** Called with each chunk as it passes (the first one included). */
  onChunk(hook: (chunk: ChatCompletionChunk) => void): this {
    this.chunkHooks.push(hook);
    return this;
  }

  /** Maps an error from the source before outer layers and the consumer see it. */
  mapError(map: (error: unknown) => unknown): this {
    this.errorMaps.push(map);
    return this;
  }

  /** Called once, when the stream completes, fails or is closed by its consumer. */
  onEnd(hook: (outcome: StreamOutcome) => void | Promise<unknown>): this {
    this.endHooks.push(hook);
    return this;
  }

  next(): Promise<IteratorResult<ChatCompletionChunk>> {
    const first = this.first;
    if (first) {
      this.first = undefined;
      return Promise.resolve(this.received(first));
    }
    if (this.ended) return Promise.resolve(DONE);
    return this.source.next().then(this.received, this.failed);
  }

  async return(): Promise<IteratorResult<ChatCompletionChunk>> {
    if (this.ended) return DONE;
    this.ended = true;
    this.first = undefined;
    try {
      await this.source.return?.();
    } finally {
      await this.runEndHooks({ kind: 'closed' });
    }
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private readonly received = (result: IteratorResult<ChatCompletionChunk>): IteratorResult<ChatCompletionChunk> | Promise<IteratorResult<ChatCompletionChunk>> => {
    if (result.done) {
      if (this.ended) return DONE;
      this.ended = true;
      const settled = this.runEndHooks({ kind: 'completed' });
      return settled ? settled.then(() => DONE) : DONE;
    }
    for (const hook of this.chunkHooks) hook(result.value);
    return result;
  };

  private readonly failed = async (error: unknown): Promise<never> => {
    let mapped = error;
    for (const map of this.errorMaps) mapped = map(mapped);
    this.ended = true;
    await this.runEndHooks({ kind: 'failed', error: mapped });
    throw mapped;
  };

  /** Runs every end hook; a promise when any of them returned one. */
  private runEndHooks(outcome: StreamOutcome): Promise<unknown> | undefined {
    let pending: Array<Promise<unknown>> | undefined;
    for (const hook of this.endHooks) {
      const result = hook(outcome);
      if (result instanceof Promise) (pending ??= []).push(result);
    }
    return pending && Promise.all(pending);
  }
}
