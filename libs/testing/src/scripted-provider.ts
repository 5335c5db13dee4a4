import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  LlmProvider,
  ProviderCallContext,
} from '@llm-connector-hub/core';
import { delay, untilAborted } from './async';
import { chunkOf, completionOf } from './canonical';

/** What one call does; nothing given = answer at once. */
export interface Step {
  /** Thrown after the waits below: before the first chunk, or after `afterChunks` chunks of a stream. */
  fail?: unknown;
  /** Streams: the waits, the failure and `end` come after this many chunks instead of before the first. */
  afterChunks?: number;
  /** Streams: end there, without a finish chunk (`{ end: true }` is a stream without a single chunk). */
  end?: boolean;
  /** Wait this long (abortably). */
  delayMs?: number;
  /** Wait for this promise (abortably). */
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
 * The one unit-test provider of the libraries' specs: every call does what `script(n, call)` says
 * (`n` counts this provider's calls from 1, `call.nOfModel` that model's). It answers
 * `<name>:<model>`; a stream sends `<name>:<model>:` first (so a test sees who served it), then
 * `pieces`, then a finish chunk with the usage. Each answer's id names the call that made it
 * (`chatcmpl-<n>`), and embeddings hold `n` too, so a test tells a stored answer from a fresh one.
 * It records every call with its request and signal, counts calls in flight, streams closed and
 * close() calls. Without `embeds`, it is a chat-only provider (no embed method).
 */
export class ScriptedProvider implements LlmProvider {
  readonly type = 'scripted';
  readonly calls: ScriptedCall[] = [];
  script: (n: number, call: { kind: ScriptedCall['kind']; model: string; nOfModel: number }) => Step | undefined = () => undefined;
  pieces = ['Hel', 'lo', '!'];
  inFlight = 0;
  maxInFlight = 0;
  /** Streams whose generator finished: ran to the end, failed, or was closed early. */
  streamsClosed = 0;
  closed = 0;
  readonly embed?: (request: EmbeddingRequest, context: ProviderCallContext) => Promise<EmbeddingResponse>;

  constructor(
    readonly name = 'p',
    readonly models: readonly string[] = [],
    { embeds = true }: { embeds?: boolean } = {},
  ) {
    if (embeds) this.embed = (request, context) => this.embedding(request, context);
  }

  /** Calls to one model (all calls when none is named). */
  callsTo(model?: string): number {
    return this.calls.filter((c) => model === undefined || c.model === model).length;
  }

  /** Calls of one kind. */
  callsOf(kind: ScriptedCall['kind']): number {
    return this.calls.filter((c) => c.kind === kind).length;
  }

  async complete(request: ChatRequest, context: ProviderCallContext): Promise<ChatCompletion> {
    const [n, step] = this.enter('complete', request, context);
    try {
      await this.play(step, context.signal);
      return completionOf(`${this.name}:${request.model}`, request.model, `chatcmpl-${n}`);
    } finally {
      this.inFlight -= 1;
    }
  }

  async *stream(request: ChatRequest, context: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const [n, step] = this.enter('stream', request, context);
    try {
      const pieces = [`${this.name}:${request.model}:`, ...this.pieces];
      const at = Math.min(step?.afterChunks ?? 0, pieces.length);
      for (const [i, piece] of pieces.entries()) {
        if (i === at && (await this.play(step, context.signal)) === 'end') return;
        if (i > 0 && step?.chunkDelayMs) await delay(step.chunkDelayMs, context.signal);
        yield chunkOf(i === 0 ? { role: 'assistant', content: piece } : { content: piece }, request.model, `chatcmpl-${n}`);
      }
      if (at === pieces.length && (await this.play(step, context.signal)) === 'end') return;
      yield chunkOf({}, request.model, `chatcmpl-${n}`, 'stop');
    } finally {
      this.inFlight -= 1;
      this.streamsClosed += 1;
    }
  }

  async close(): Promise<void> {
    await new Promise((resolve) => setImmediate(resolve));
    this.closed += 1;
  }

  private async embedding(request: EmbeddingRequest, context: ProviderCallContext): Promise<EmbeddingResponse> {
    const [n, step] = this.enter('embed', request, context);
    try {
      await this.play(step, context.signal);
      const inputs = Array.isArray(request.input) ? request.input : [request.input];
      return {
        object: 'list',
        data: inputs.map((_, index) => ({ object: 'embedding', index, embedding: [n, index, 0.5] })),
        model: request.model,
        usage: { prompt_tokens: inputs.length, total_tokens: inputs.length },
      };
    } finally {
      this.inFlight -= 1;
    }
  }

  private enter(kind: ScriptedCall['kind'], request: ChatRequest | EmbeddingRequest, context: ProviderCallContext): [number, Step | undefined] {
    this.calls.push({ kind, model: request.model, request, signal: context.signal });
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    const n = this.calls.length;
    return [n, this.script(n, { kind, model: request.model, nOfModel: this.callsTo(request.model) })];
  }

  /** The step's waits, then its failure; 'end' when a stream is to end there. */
  private async play(step: Step | undefined, signal: AbortSignal): Promise<'end' | undefined> {
    if (!step) return undefined;
    if (step.delayMs) await delay(step.delayMs, signal);
    if (step.until) await Promise.race([step.until, untilAborted(signal)]);
    if (step.hang) await untilAborted(signal);
    if (step.stall) await step.stall;
    if (step.fail !== undefined) throw step.fail;
    return step.end ? 'end' : undefined;
  }
}
