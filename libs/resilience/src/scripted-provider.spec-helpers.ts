import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  LlmProvider,
  ProviderCallContext,
} from '@llm-connector-hub/core';

/** The one scripted provider of the resilience specs (test support, not exported from index). */

/** What one call does; nothing given = answer at once. */
export interface Step {
  /** Thrown before the first chunk, or after `afterChunks` chunks of a stream. */
  fail?: unknown;
  afterChunks?: number;
  /** Wait this long (abortably) before answering. */
  delayMs?: number;
  /** Wait for this promise (abortably) before answering. */
  until?: Promise<unknown>;
  /** Wait until the call's signal aborts, then throw its reason, as the real providers do. */
  hang?: boolean;
  /** Wait for this promise, deaf to the signal (a provider that does not honour aborts). */
  stall?: Promise<unknown>;
  /** Streams: wait this long (abortably) before every chunk after the first. */
  chunkDelayMs?: number;
}

export interface ScriptedCall {
  kind: 'complete' | 'stream' | 'embed';
  model: string;
  request: ChatRequest | EmbeddingRequest;
  signal: AbortSignal;
}

/**
 * A provider whose every call does what `script(n, call)` says: `n` counts this provider's calls
 * from 1, `call.nOfModel` that model's. It answers `<name>:<model>`; a stream sends
 * `<name>:<model>:` first (so a test sees who served it), then `pieces`, then `finish_reason`.
 * It counts calls in flight and streams closed.
 */
export class ScriptedProvider implements LlmProvider {
  readonly type = 'scripted';
  readonly models: readonly string[] = [];
  readonly calls: ScriptedCall[] = [];
  script: (n: number, call: { kind: ScriptedCall['kind']; model: string; nOfModel: number }) => Step | undefined = () => undefined;
  pieces = ['Hel', 'lo', '!'];
  inFlight = 0;
  maxInFlight = 0;
  /** Streams whose generator finished: ran to the end, failed, or was closed early. */
  streamsClosed = 0;

  constructor(readonly name = 'p') {}

  callsTo(model?: string): number {
    return this.calls.filter((c) => model === undefined || c.model === model).length;
  }

  async complete(request: ChatRequest, context: ProviderCallContext): Promise<ChatCompletion> {
    const step = this.enter('complete', request, context);
    try {
      await this.waitFor(step, context.signal);
      if (step?.fail !== undefined) throw step.fail;
      return {
        id: 'chatcmpl-test',
        object: 'chat.completion',
        created: 1_700_000_000,
        model: request.model,
        choices: [{ index: 0, message: { role: 'assistant', content: `${this.name}:${request.model}` }, finish_reason: 'stop' }],
        usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      };
    } finally {
      this.inFlight -= 1;
    }
  }

  async *stream(request: ChatRequest, context: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const step = this.enter('stream', request, context);
    try {
      await this.waitFor(step, context.signal);
      const pieces = [`${this.name}:${request.model}:`, ...this.pieces];
      const failAt = step?.fail !== undefined ? Math.min(step.afterChunks ?? 0, pieces.length) : -1;
      for (const [i, piece] of pieces.entries()) {
        if (i === failAt) throw step?.fail;
        if (i > 0 && step?.chunkDelayMs) await delay(step.chunkDelayMs, context.signal);
        yield chunk(request.model, { content: piece }, null);
      }
      if (failAt === pieces.length) throw step?.fail;
      yield chunk(request.model, {}, 'stop');
    } finally {
      this.inFlight -= 1;
      this.streamsClosed += 1;
    }
  }

  async embed(request: EmbeddingRequest, context: ProviderCallContext): Promise<EmbeddingResponse> {
    const step = this.enter('embed', request, context);
    try {
      await this.waitFor(step, context.signal);
      if (step?.fail !== undefined) throw step.fail;
      return {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.5, 1] }],
        model: request.model,
        usage: { prompt_tokens: 1, total_tokens: 1 },
      };
    } finally {
      this.inFlight -= 1;
    }
  }

  private enter(kind: ScriptedCall['kind'], request: ChatRequest | EmbeddingRequest, context: ProviderCallContext): Step | undefined {
    this.calls.push({ kind, model: request.model, request, signal: context.signal });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return this.script(this.calls.length, { kind, model: request.model, nOfModel: this.callsTo(request.model) });
  }

  private async waitFor(step: Step | undefined, signal: AbortSignal): Promise<void> {
    if (!step) return;
    if (step.delayMs) await delay(step.delayMs, signal);
    if (step.until) await Promise.race([step.until, untilAborted(signal)]);
    if (step.hang) await untilAborted(signal);
    if (step.stall) await step.stall;
  }
}

function chunk(model: string, delta: ChatCompletionChunk['choices'][number]['delta'], finish: 'stop' | null): ChatCompletionChunk {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  };
}

/** Rejects with the signal's reason once it aborts (the listener goes with the promise). */
export function untilAborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) return reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}

/** Waits `ms`, or rejects with the signal's reason when it aborts first (the timer is cleared). */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A promise with its resolve function, to hold a call until the test lets it go. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}
