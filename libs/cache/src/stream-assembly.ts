import type {
  ChatChoice,
  ChatCompletion,
  ChatCompletionChunk,
  ChunkChoice,
  FinishReason,
  ResponseMessage,
  ToolCall,
  Usage,
} from '@llm-connector-hub/core';
import { ANSWER_OVERHEAD_BYTES, logprobsBytes, textBytes, TOOL_CALL_OVERHEAD_BYTES } from './answer-size';

interface ToolCallParts {
  id: string;
  name: string;
  arguments: string;
}

interface ChoiceParts {
  content: string;
  /** A string content delta came (even ''): tells an empty answer from a content-less one. */
  sawContent: boolean;
  refusal: string | undefined;
  toolCalls: Map<number, ToolCallParts>;
  finishReason: FinishReason | null;
  logprobs: LogprobsParts | undefined;
}

/** OpenAI streams per-token logprobs in pieces; the non-stream answer has them in one list. */
interface LogprobsParts {
  content?: unknown[] | null;
  refusal?: unknown[] | null;
}

const LOGPROB_LISTS = ['content', 'refusal'] as const;

/**
 * Rebuilds, from a stream's chunks, the non-stream ChatCompletion OpenAI would have returned, so
 * a streamed answer can be cached once and served to stream and non-stream callers alike. Feed
 * it every chunk in order, then call `result()` once the stream has ended cleanly. `bytes` is the
 * estimated size of the answer so far (answer-size.ts), for a caller that stops past a limit.
 */
export class StreamAssembler {
  private size = ANSWER_OVERHEAD_BYTES;
  private id: string | undefined;
  private created = 0;
  private model = '';
  private systemFingerprint: string | null | undefined;
  private usage: Usage | undefined;
  private readonly choices = new Map<number, ChoiceParts>();

  add(chunk: ChatCompletionChunk): void {
    if (this.id === undefined) {
      this.id = chunk.id;
      this.created = chunk.created;
      this.model = chunk.model;
    }
    if (chunk.system_fingerprint != null) this.systemFingerprint = chunk.system_fingerprint;
    // Usually the `choices: []` chunk; some servers put usage on the last content chunk instead.
    if (chunk.usage != null) this.usage = chunk.usage;
    for (const choice of chunk.choices) this.addChoice(choice);
  }

  get bytes(): number {
    return this.size;
  }

  result(): ChatCompletion {
    if (this.id === undefined) throw new Error('StreamAssembler.result() called before any chunk was added');
    const choices = [...this.choices.entries()].sort(([a], [b]) => a - b).map(([index, parts]) => buildChoice(index, parts));
    const completion: ChatCompletion = {
      id: this.id,
      object: 'chat.completion',
      created: this.created,
      model: this.model,
      choices,
    };
    if (this.usage !== undefined) completion.usage = this.usage;
    if (this.systemFingerprint !== undefined) completion.system_fingerprint = this.systemFingerprint;
    return completion;
  }

  private addChoice(choice: ChunkChoice): void {
    let parts = this.choices.get(choice.index);
    if (parts === undefined) {
      parts = { content: '', sawContent: false, refusal: undefined, toolCalls: new Map(), finishReason: null, logprobs: undefined };
      this.choices.set(choice.index, parts);
    }
    const { delta } = choice;
    if (typeof delta.content === 'string') {
      parts.content += delta.content;
      parts.sawContent = true;
      this.size += textBytes(delta.content);
    }
    if (typeof delta.refusal === 'string') {
      parts.refusal = (parts.refusal ?? '') + delta.refusal;
      this.size += textBytes(delta.refusal);
    }
    if (delta.tool_calls) {
      for (const call of delta.tool_calls) {
        let merged = parts.toolCalls.get(call.index);
        if (merged === undefined) {
          merged = { id: '', name: '', arguments: '' };
          parts.toolCalls.set(call.index, merged);
          this.size += TOOL_CALL_OVERHEAD_BYTES;
        }
        if (call.id) merged.id = call.id;
        // OpenAI sends the name once; keeping the first guards against servers that repeat it.
        if (call.function?.name && !merged.name) merged.name = call.function.name;
        if (call.function?.arguments) {
          merged.arguments += call.function.arguments;
          this.size += textBytes(call.function.arguments);
        }
      }
    }
    if (choice.finish_reason != null) parts.finishReason = choice.finish_reason;
    if (choice.logprobs != null) {
      parts.logprobs = mergeLogprobs(parts.logprobs, choice.logprobs);
      this.size += logprobsBytes(choice.logprobs);
    }
  }
}

function buildChoice(index: number, parts: ChoiceParts): ChatChoice {
  const toolCalls: ToolCall[] = [...parts.toolCalls.entries()]
    .sort(([a], [b]) => a - b)
    .map(([, call]) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  const message: ResponseMessage = { role: 'assistant', content: messageContent(parts, toolCalls.length > 0) };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (parts.refusal !== undefined) message.refusal = parts.refusal;
  const choice: ChatChoice = { index, message, finish_reason: parts.finishReason };
  if (parts.logprobs !== undefined) choice.logprobs = parts.logprobs;
  return choice;
}

/**
 * OpenAI's non-stream answer has `content: null` when the model only called tools or refused,
 * even though its stream opens with a `content: ''` (or null) role chunk.
 */
function messageContent(parts: ChoiceParts, hasToolCalls: boolean): string | null {
  if (parts.content !== '') return parts.content;
  if (hasToolCalls || parts.refusal !== undefined || !parts.sawContent) return null;
  return '';
}

function mergeLogprobs(into: LogprobsParts | undefined, piece: unknown): LogprobsParts {
  const merged: LogprobsParts = into ?? {};
  if (typeof piece !== 'object' || piece === null) return merged;
  const lists = piece as Record<string, unknown>;
  for (const key of LOGPROB_LISTS) {
    if (!(key in lists)) continue;
    const list = lists[key];
    if (Array.isArray(list)) (merged[key] ??= []).push(...(list as unknown[]));
    else if (list === null && merged[key] === undefined) merged[key] = null;
  }
  return merged;
}
