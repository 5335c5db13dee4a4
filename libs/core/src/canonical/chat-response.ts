import type { ToolCall } from './chat-request';
import type { NativeAnswer, NativeEvent } from './native-request';

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number; audio_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number; audio_tokens?: number };
}

export interface ResponseMessage {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCall[];
  refusal?: string | null;
}

export interface ChatChoice {
  index: number;
  message: ResponseMessage;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  choices: ChatChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
  /**
   * The upstream's own answer, when the call carried a native request (NativeRequest) and the
   * provider that served speaks its dialect. Absent otherwise, and on every chat route's call.
   */
  native?: NativeAnswer;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  tool_calls?: ToolCallDelta[];
  refusal?: string | null;
}

export interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

/**
 * One streamed chunk. A usage-only chunk (OpenAI's `stream_options.include_usage`) has
 * `choices: []` and `usage` set; every other chunk has `usage` absent or null.
 */
export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  choices: ChunkChoice[];
  usage?: Usage | null;
  system_fingerprint?: string | null;
  /**
   * On a natively served stream (see ChatCompletion.native): the upstream event this chunk came
   * from, verbatim. Every upstream event is carried by exactly one chunk, in order; an event with
   * nothing canonical to say (a ping, a thinking delta) rides on a chunk with `choices: []`.
   */
  native?: NativeEvent;
}

export function makeUsage(promptTokens: number, completionTokens: number): Usage {
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens };
}
