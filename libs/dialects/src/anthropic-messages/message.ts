import { randomUUID } from 'node:crypto';
import type { ChatCompletion, FinishReason, ToolCall, Usage } from '@llm-connector-hub/core';

/** Anthropic's usage counters. `input_tokens` excludes cached tokens (OpenAI's prompt_tokens includes them). */
export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  /** Cache writes by lifetime: Claude Code expects the object (zeros here: Chat does not count writes). */
  cache_creation: { ephemeral_5m_input_tokens: number; ephemeral_1h_input_tokens: number };
}

export type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

export type AnthropicContentBlock =
  | { type: 'text'; text: string }
  | { type: 'tool_use'; id: string; name: string; input: Record<string, unknown> };

/** Anthropic's Message (the answer of a non-stream `POST /v1/messages`). */
export interface AnthropicMessage {
  id: string;
  type: 'message';
  role: 'assistant';
  model: string;
  content: AnthropicContentBlock[];
  stop_reason: StopReason | null;
  /** Always present (null): Claude Code refuses a message without it. */
  stop_sequence: string | null;
  usage: AnthropicUsage;
}

export function messageId(): string {
  return `msg_${randomUUID().replaceAll('-', '')}`;
}

/**
 * Chat's finish reason as Anthropic's stop reason. `stop` is `end_turn` even when a stop
 * sequence ended the text: Chat does not say which, so `stop_sequence` stays null.
 */
export function stopReason(finish: FinishReason | null | undefined): StopReason {
  switch (finish) {
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
    case 'function_call':
      return 'tool_use';
    case 'content_filter':
      return 'refusal';
    default:
      return 'end_turn';
  }
}

/**
 * The canonical usage in Anthropic's terms: cache reads come out of input_tokens into
 * cache_read_input_tokens (reporting them in both doubles Claude Code's context meter). Chat
 * has no count of cache writes, so cache_creation_input_tokens is 0.
 */
export function anthropicUsage(usage: Usage | null | undefined): AnthropicUsage {
  const cacheRead = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.prompt_tokens ?? 0) - cacheRead),
    output_tokens: usage?.completion_tokens ?? 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cacheRead,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
  };
}

/** A tool call's JSON arguments as Anthropic's `input` object ({} when they are not a JSON object: `input` is never a string). */
export function toolInput(call: ToolCall): Record<string, unknown> {
  try {
    const input: unknown = JSON.parse(call.function.arguments);
    if (input !== null && typeof input === 'object' && !Array.isArray(input)) return input as Record<string, unknown>;
  } catch {
    // Not JSON: the model wrote broken arguments; the client sees an empty input, as it would see a missing field.
  }
  return {};
}

/** The canonical answer as Anthropic's Message; `model` is the name the client asked for. */
export function toAnthropicMessage(completion: ChatCompletion, model: string): AnthropicMessage {
  const choice = completion.choices[0];
  const content: AnthropicContentBlock[] = [];
  const text = choice?.message.content;
  if (text) content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) content.push({ type: 'tool_use', id: call.id, name: call.function.name, input: toolInput(call) });
  return {
    id: messageId(),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: stopReason(choice?.finish_reason),
    stop_sequence: null,
    usage: anthropicUsage(completion.usage),
  };
}
