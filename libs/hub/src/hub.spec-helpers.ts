import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  LlmProvider,
  ProviderCallContext,
} from '@llm-connector-hub/core';

/** Test-only helpers shared by the hub specs (not exported from the folder's index). */

export interface RecordedCall {
  kind: 'complete' | 'stream' | 'embed';
  request: ChatRequest | EmbeddingRequest;
  signal: AbortSignal;
}

/**
 * A hand-written provider: answers `<name>: <model>` in `pieces` chunks, records every call with
 * the signal it was given, and can fail or hang (until its signal aborts, then throw the signal's
 * reason, as the real providers do).
 */
export class FakeProvider implements LlmProvider {
  readonly type = 'fake';
  readonly calls: RecordedCall[] = [];
  /** Thrown by complete() / before the first chunk of stream(); a function is asked per call. */
  // eslint-disable-next-line @typescript-eslint/no-redundant-type-constituents -- the function form is handled apart
  failWith?: unknown | ((attempt: number) => unknown);
  /** Wait for the signal to abort instead of answering. */
  hang = false;
  /** In stream(): hang after this many chunks. */
  hangAfterChunks?: number;
  pieces = ['Hel', 'lo'];
  closed = 0;
  /** Set when stream()'s generator was finished early (return()) or ran to its end. */
  streamFinalized = 0;

  constructor(
    readonly name: string,
    readonly models: readonly string[] = [],
  ) {}

  async complete(request: ChatRequest, context: ProviderCallContext): Promise<ChatCompletion> {
    this.calls.push({ kind: 'complete', request, signal: context.signal });
    this.maybeFail();
    if (this.hang) await untilAborted(context.signal);
    return completionOf(`${this.name}: ${request.model}`, request.model);
  }

  async *stream(request: ChatRequest, context: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    this.calls.push({ kind: 'stream', request, signal: context.signal });
    try {
      this.maybeFail();
      if (this.hang) await untilAborted(context.signal);
      for (const [i, piece] of this.pieces.entries()) {
        if (this.hangAfterChunks === i) await untilAborted(context.signal);
        yield chunkOf({ content: piece }, request.model);
      }
      yield { ...chunkOf({}, request.model), choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] };
    } finally {
      this.streamFinalized += 1;
    }
  }

  async close(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.closed += 1;
  }

  private maybeFail(): void {
    if (this.failWith === undefined) return;
    const error = typeof this.failWith === 'function' ? (this.failWith as (n: number) => unknown)(this.calls.length) : this.failWith;
    if (error !== undefined) throw error;
  }
}

/** A FakeProvider that also embeds: one 2-d vector per input. */
export class EmbeddingFakeProvider extends FakeProvider {
  async embed(request: EmbeddingRequest, context: ProviderCallContext): Promise<EmbeddingResponse> {
    this.calls.push({ kind: 'embed', request, signal: context.signal });
    if (this.hang) await untilAborted(context.signal);
    const inputs = Array.isArray(request.input) ? request.input : [request.input];
    return {
      object: 'list',
      data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [index, 1] })),
      model: request.model,
      usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
    };
  }
}

export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

export function completionOf(content: string | null, model = 'm'): ChatCompletion {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 },
  };
}

export function chunkOf(delta: ChatCompletionChunk['choices'][number]['delta'], model = 'm'): ChatCompletionChunk {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: null }],
  };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Resolves with what the promise rejected with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

export const user = (content: string) => [{ role: 'user' as const, content }];
