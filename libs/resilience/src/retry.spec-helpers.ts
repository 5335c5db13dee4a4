import {
  HubError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type EmbeddingRequest,
  type EmbeddingResponse,
  type LlmProvider,
  type ProviderCallContext,
} from '@llm-connector-hub/core';
import { ConnectorHub, type ConnectorHubOptions, type HubMiddleware } from '@llm-connector-hub/hub';
import { ResilienceEvents, type ResilienceEvent } from './resilience-events';

/** Test-only helpers shared by the retry, timeout and bulkhead specs (not exported from index). */

/** What one upstream call does; nothing given = answer at once. */
export interface Step {
  /** Thrown before the first chunk (or, with `afterChunks`, after that many chunks of a stream). */
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

export interface CallRecord {
  kind: 'complete' | 'stream' | 'embed';
  model: string;
  signal: AbortSignal;
}

/** A provider whose n-th call (from 1) does `script(n)`; counts calls and concurrency. */
export class TestProvider implements LlmProvider {
  readonly type = 'test';
  readonly models: readonly string[] = [];
  readonly calls: CallRecord[] = [];
  script: (n: number, kind: CallRecord['kind']) => Step | undefined = () => undefined;
  pieces = ['Hel', 'lo', '!'];
  inFlight = 0;
  maxInFlight = 0;
  /** Streams whose generator finished: ran to the end, failed, or was closed early. */
  streamsClosed = 0;

  constructor(readonly name = 'test') {}

  async complete(request: ChatRequest, context: ProviderCallContext): Promise<ChatCompletion> {
    const step = this.enter('complete', request.model, context);
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
    const step = this.enter('stream', request.model, context);
    try {
      await this.waitFor(step, context.signal);
      if (step?.fail !== undefined && step.afterChunks === undefined) throw step.fail;
      for (const [i, piece] of this.pieces.entries()) {
        if (step?.fail !== undefined && step.afterChunks === i) throw step.fail;
        if (i > 0 && step?.chunkDelayMs) await delay(step.chunkDelayMs, context.signal);
        yield chunk(request.model, { content: piece }, null);
      }
      yield chunk(request.model, {}, 'stop');
    } finally {
      this.inFlight -= 1;
      this.streamsClosed += 1;
    }
  }

  async embed(request: EmbeddingRequest, context: ProviderCallContext): Promise<EmbeddingResponse> {
    const step = this.enter('embed', request.model, context);
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

  private enter(kind: CallRecord['kind'], model: string, context: ProviderCallContext): Step | undefined {
    this.calls.push({ kind, model, signal: context.signal });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return this.script(this.calls.length, kind);
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

/** A hub with the given providers and middleware (first is outermost), and every event emitted. */
export function hubWith(
  providers: Record<string, LlmProvider>,
  middleware: (events: ResilienceEvents) => HubMiddleware[],
  options: ConnectorHubOptions = {},
): { hub: ConnectorHub; events: ResilienceEvents; seen: ResilienceEvent[] } {
  const events = new ResilienceEvents();
  const seen: ResilienceEvent[] = [];
  events.on((event) => seen.push(event));
  const hub = new ConnectorHub(options);
  for (const [name, provider] of Object.entries(providers)) hub.registerProvider(name, provider);
  for (const layer of middleware(events)) hub.use(layer);
  return { hub, events, seen };
}

/** Resolves with what the promise rejected with, as a HubError; fails the test when it resolves or rejects otherwise. */
export async function hubErrorOf(promise: Promise<unknown>): Promise<HubError> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error('expected the call to fail, but it succeeded');
  if (!(error instanceof HubError)) throw new Error(`expected a HubError, got ${String(error)}`);
  return error;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

export const ask = (provider = 'p', content = 'hi') => ({ provider, model: 'm', messages: [{ role: 'user' as const, content }] });

export const textOf = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
