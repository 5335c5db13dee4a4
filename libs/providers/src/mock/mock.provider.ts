import { setTimeout as sleep } from 'node:timers/promises';
import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  LlmProvider,
  ProviderCallContext,
} from '@llm-connector-hub/core';
import { HubErrors, completionId, makeUsage, unixSeconds, upstreamHttpError } from '@llm-connector-hub/core';
import { MOCK_DEFAULTS, type MockProviderOptions } from './mock.options';
import { countWords, mockReply, splitInto } from './mock.reply';
import { mockEmbedding } from './mock.embeddings';
import { encodeEmbedding } from '../shared/embedding-encoding';

/**
 * Built-in provider with no network: deterministic answers, configurable latency, chunking and
 * failures, real usage numbers. The default target of `make run`, and handy in tests and demos.
 */
export class MockProvider implements LlmProvider {
  readonly type = 'mock';
  readonly models: readonly string[];
  private readonly options: Required<Omit<MockProviderOptions, 'models'>>;
  private requests = 0;

  constructor(options: MockProviderOptions = {}) {
    const { models, ...rest } = options;
    this.models = models ?? MOCK_DEFAULTS.models;
    this.options = { ...MOCK_DEFAULTS, ...stripUndefined(rest) };
  }

  async complete(request: ChatRequest, context: ProviderCallContext): Promise<ChatCompletion> {
    const fail = this.nextFails();
    await this.wait(this.options.latencyMs, context.signal);
    if (fail) throw this.failure();
    const reply = mockReply(request);
    return {
      id: completionId(),
      object: 'chat.completion',
      created: unixSeconds(),
      model: request.model,
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: reply.content,
            ...(reply.toolCalls.length > 0 ? { tool_calls: reply.toolCalls } : {}),
          },
          finish_reason: reply.finishReason,
        },
      ],
      usage: makeUsage(reply.promptTokens, reply.completionTokens),
    };
  }

  async *stream(request: ChatRequest, context: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const fail = this.nextFails();
    await this.wait(this.options.latencyMs, context.signal);
    if (fail && !this.options.failMidStream) throw this.failure();
    const reply = mockReply(request);
    const base = { id: completionId(), object: 'chat.completion.chunk' as const, created: unixSeconds(), model: request.model };
    yield { ...base, choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] };
    // A failure after the first chunk is a cut stream, as a real upstream's would be.
    if (fail) throw HubErrors.streamInterrupted(this.options.name, 'injected mock failure');
    if (reply.toolCalls.length > 0) {
      for (const [index, call] of reply.toolCalls.entries()) {
        const pieces = splitInto(call.function.arguments, this.options.chunkCount);
        for (const [i, piece] of pieces.entries()) {
          await this.wait(this.options.chunkDelayMs, context.signal);
          const head = i === 0 ? { id: call.id, type: 'function' as const } : {};
          const fn = i === 0 ? { name: call.function.name, arguments: piece } : { arguments: piece };
          yield { ...base, choices: [{ index: 0, delta: { tool_calls: [{ index, ...head, function: fn }] }, finish_reason: null }] };
        }
      }
    } else {
      for (const piece of splitInto(reply.content ?? '', this.options.chunkCount)) {
        await this.wait(this.options.chunkDelayMs, context.signal);
        yield { ...base, choices: [{ index: 0, delta: { content: piece }, finish_reason: null }] };
      }
    }
    yield { ...base, choices: [{ index: 0, delta: {}, finish_reason: reply.finishReason }] };
    yield { ...base, choices: [], usage: makeUsage(reply.promptTokens, reply.completionTokens) };
  }

  async embed(request: EmbeddingRequest, context: ProviderCallContext): Promise<EmbeddingResponse> {
    await this.wait(this.options.latencyMs, context.signal);
    const inputs = embeddingInputs(request.input);
    const data = inputs.map((input, index) => ({
      object: 'embedding' as const,
      index,
      embedding: encodeEmbedding(mockEmbedding(typeof input === 'string' ? input : JSON.stringify(input), request.dimensions ?? 8), request.encoding_format),
    }));
    const tokens = inputs.reduce<number>((sum, input) => sum + (typeof input === 'string' ? countWords(input) : input.length), 0);
    return { object: 'list', data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
  }

  private nextFails(): boolean {
    this.requests += 1;
    return this.options.failEvery > 0 && this.requests % this.options.failEvery === 0;
  }

  private failure() {
    return upstreamHttpError(this.options.name, this.options.failStatus, 'injected mock failure');
  }

  private async wait(ms: number, signal: AbortSignal): Promise<void> {
    signal.throwIfAborted();
    if (ms <= 0) return;
    try {
      await sleep(ms, undefined, { signal });
    } catch {
      signal.throwIfAborted();
    }
  }
}

/** OpenAI's inputs: a string, strings, one token array (a single input) or token arrays. */
function embeddingInputs(input: EmbeddingRequest['input']): Array<string | number[]> {
  if (typeof input === 'string') return [input];
  if (input.length > 0 && input.every((item) => typeof item === 'number')) return [input];
  return input as Array<string | number[]>;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
