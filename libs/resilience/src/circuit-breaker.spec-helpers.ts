import {
  upstreamHttpError,
  type ChatCompletion,
  type ChatCompletionChunk,
  type ChatRequest,
  type EmbeddingRequest,
  type EmbeddingResponse,
  type HubError,
  type LlmProvider,
  type ProviderCallContext,
} from '@llm-connector-hub/core';
import { ConnectorHub, type ConnectorHubOptions, type HubMiddleware } from '@llm-connector-hub/hub';
import type { BreakerState } from './circuit-breaker.middleware';
import { ResilienceEvents, type ResilienceEvent } from './resilience-events';

/** Test-only helpers shared by the circuit-breaker and fallback specs (not exported from index). */

/** What one call to a ScriptedProvider does; nothing given = answer normally. */
export interface Step {
  /** Thrown before the first chunk, or after `afterChunks` chunks of a stream. */
  fail?: unknown;
  afterChunks?: number;
  /** Wait for this before answering (or failing). */
  until?: Promise<unknown>;
  /** Wait until the call's signal aborts, then throw its reason (as real providers do). */
  hang?: boolean;
}

export interface ScriptedCall {
  kind: 'complete' | 'stream' | 'embed';
  model: string;
  request: ChatRequest | EmbeddingRequest;
}

/** A provider whose every call follows `script(model, n)`, n counting that model's calls from 1. */
export class ScriptedProvider implements LlmProvider {
  readonly type = 'scripted';
  readonly models: readonly string[] = [];
  readonly calls: ScriptedCall[] = [];
  script: (model: string, n: number) => Step | undefined = () => undefined;
  pieces = ['Hel', 'lo'];
  /** Streams finished (ran to the end, failed or were stopped early). */
  streamsClosed = 0;

  constructor(readonly name: string) {}

  callsTo(model?: string): number {
    return this.calls.filter((c) => model === undefined || c.model === model).length;
  }

  async complete(request: ChatRequest, context: ProviderCallContext): Promise<ChatCompletion> {
    const step = await this.begin('complete', request, context);
    if (step?.fail !== undefined) throw step.fail;
    return {
      id: 'chatcmpl-test',
      object: 'chat.completion',
      created: 1_700_000_000,
      model: request.model,
      choices: [{ index: 0, message: { role: 'assistant', content: `${this.name}:${request.model}` }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
    };
  }

  async *stream(request: ChatRequest, context: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    try {
      const step = await this.begin('stream', request, context);
      const failAt = step?.fail !== undefined ? (step.afterChunks ?? 0) : -1;
      for (const [i, piece] of [`${this.name}:${request.model}:`, ...this.pieces].entries()) {
        if (i === failAt) throw step?.fail;
        yield chunk(request.model, piece);
      }
      if (failAt >= this.pieces.length + 1) throw step?.fail;
    } finally {
      this.streamsClosed += 1;
    }
  }

  async embed(request: EmbeddingRequest, context: ProviderCallContext): Promise<EmbeddingResponse> {
    const step = await this.begin('embed', request, context);
    if (step?.fail !== undefined) throw step.fail;
    return {
      object: 'list',
      data: [{ object: 'embedding', index: 0, embedding: [1, 0] }],
      model: request.model,
      usage: { prompt_tokens: 1, total_tokens: 1 },
    };
  }

  private async begin(kind: ScriptedCall['kind'], request: ChatRequest | EmbeddingRequest, context: ProviderCallContext) {
    this.calls.push({ kind, model: request.model, request });
    const step = this.script(request.model, this.callsTo(request.model));
    if (step?.until) await step.until;
    if (step?.hang) {
      await new Promise((_, reject) => {
        if (context.signal.aborted) reject(context.signal.reason);
        context.signal.addEventListener('abort', () => reject(context.signal.reason), { once: true });
      });
    }
    return step;
  }
}

function chunk(model: string, content: string): ChatCompletionChunk {
  return {
    id: 'chatcmpl-test',
    object: 'chat.completion.chunk',
    created: 1_700_000_000,
    model,
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  };
}

export const http = (status: number, provider = 'p'): HubError => upstreamHttpError(provider, status, `HTTP ${status} from the fake`);

export const user = [{ role: 'user' as const, content: 'hi' }];

/** A hub with the given providers and middleware, and every resilience event it emits. */
export function hubWith(
  providers: Record<string, LlmProvider>,
  middleware: (events: ResilienceEvents) => HubMiddleware[],
  options: ConnectorHubOptions = {},
): { hub: ConnectorHub; events: ResilienceEvent[] } {
  const bus = new ResilienceEvents();
  const events: ResilienceEvent[] = [];
  bus.on((event) => events.push(event));
  const hub = new ConnectorHub(options);
  for (const [name, provider] of Object.entries(providers)) hub.registerProvider(name, provider);
  for (const layer of middleware(bus)) hub.use(layer);
  return { hub, events };
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of iterable) out.push(item);
  return out;
}

/** Resolves with what the promise rejected with; fails the test when it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<HubError> {
  try {
    await promise;
  } catch (error) {
    return error as HubError;
  }
  throw new Error('expected the promise to reject, but it resolved');
}

/** A promise with its resolve handle, to hold a provider call open. */
export function gate(): { promise: Promise<void>; open: () => void } {
  let open!: () => void;
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

/** Deterministic [0, 1) numbers (mulberry32), for weighted-order statistics. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The state of one provider+model's breaker as its `breaker_state` events tell it ('closed' before any). */
export function breakerState(events: ResilienceEvent[], provider: string, model: string): BreakerState {
  let state: BreakerState = 'closed';
  for (const event of events) if (event.type === 'breaker_state' && event.provider === provider && event.model === model) state = event.state;
  return state;
}
