import type { ChatCompletion, ChatRequest, FinishReason, ResponseMessage, ToolCall, Usage } from '@llm-connector-hub/core';
import { completionId, HubErrors, makeUsage, unixSeconds } from '@llm-connector-hub/core';
import { anthropicStreamError } from './anthropic.errors';
import { anthropicJsonAnswer, anthropicJsonMode } from './anthropic.response-format';
import type { AnthropicMessage, AnthropicResponseToolUseBlock, AnthropicUsage } from './anthropic.wire';

/** Messages API answer -> canonical completion (one choice: Anthropic has no `n`). */
export function fromAnthropicResponse(provider: string, body: unknown, request: ChatRequest): ChatCompletion {
  if (body !== null && typeof body === 'object' && (body as { type?: unknown }).type === 'error') {
    throw anthropicStreamError(provider, body);
  }
  const message = body as AnthropicMessage;
  if (message === null || typeof message !== 'object' || !Array.isArray(message.content)) {
    throw HubErrors.upstreamBadResponse(provider, 'the message has no content array');
  }
  const json = anthropicJsonMode(request);
  let text = '';
  let hasText = false;
  let answer: string | undefined;
  const toolCalls: ToolCall[] = [];
  for (const block of message.content) {
    if (block.type === 'text') {
      text += (block as { text: string }).text;
      hasText = true;
    } else if (block.type === 'tool_use') {
      const use = block as AnthropicResponseToolUseBlock;
      if (json && use.name === json.tool.name) {
        // The response_format answer tool: its input is the answer text, not a call to hand back.
        answer = anthropicJsonAnswer(use.input, json.wrapped);
      } else {
        toolCalls.push({ id: use.id, type: 'function', function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) } });
      }
    }
    // thinking, redacted_thinking and server-tool blocks have no place in the canonical message.
  }
  // A text block beside the answer tool (a preamble such as "Here is the JSON:") would make the
  // content unparseable, and the client asked for JSON only: the tool input alone is the answer.
  if (answer !== undefined) {
    text = answer;
    hasText = true;
  }
  const result: ResponseMessage = {
    role: 'assistant',
    // OpenAI sends null content beside tool calls, '' for an empty answer.
    content: hasText || toolCalls.length === 0 ? text : null,
  };
  if (toolCalls.length > 0) result.tool_calls = toolCalls;
  const completion: ChatCompletion = {
    id: typeof message.id === 'string' ? message.id : completionId(),
    object: 'chat.completion',
    created: unixSeconds(),
    model: message.model ?? request.model,
    choices: [{ index: 0, message: result, finish_reason: anthropicFinishReason(message.stop_reason, toolCalls.length > 0) }],
  };
  const usage = anthropicUsage(message.usage);
  if (usage) completion.usage = usage;
  return completion;
}

/**
 * Anthropic's stop_reason as OpenAI's finish_reason. `tool_use` without a client tool call means
 * the model answered through the response_format tool, which the client sees as a normal stop.
 */
export function anthropicFinishReason(stopReason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'refusal':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, pause_turn, and reasons added later.
      return 'stop';
  }
}

/**
 * Anthropic counts cached prompt tokens apart from `input_tokens`; OpenAI's prompt_tokens
 * includes them, with the cache hits repeated in prompt_tokens_details.cached_tokens.
 */
export function anthropicUsage(usage: AnthropicUsage | null | undefined): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const cacheRead = count(usage.cache_read_input_tokens);
  const prompt = count(usage.input_tokens) + cacheRead + count(usage.cache_creation_input_tokens);
  const result = makeUsage(prompt, count(usage.output_tokens));
  result.prompt_tokens_details = { cached_tokens: cacheRead };
  const thinking = usage.output_tokens_details?.thinking_tokens;
  if (typeof thinking === 'number') result.completion_tokens_details = { reasoning_tokens: thinking };
  return result;
}

function count(value: number | null | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
