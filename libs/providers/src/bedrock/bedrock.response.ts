import type { ChatCompletion, ChatRequest, FinishReason, ResponseMessage, ToolCall, Usage } from '@llm-connector-hub/core';
import { completionId, HubErrors, makeUsage, unixSeconds } from '@llm-connector-hub/core';
import type { BedrockConverseResponse, BedrockUsage } from './bedrock.wire';

/** Converse answer -> canonical completion. Converse gives no id, so one is made. */
export function fromBedrockResponse(provider: string, body: unknown, request: ChatRequest): ChatCompletion {
  const content = (body as BedrockConverseResponse | null)?.output?.message?.content;
  if (!Array.isArray(content)) throw HubErrors.upstreamBadResponse(provider, 'the answer has no output.message.content array');
  const response = body as BedrockConverseResponse;
  let text = '';
  let hasText = false;
  const toolCalls: ToolCall[] = [];
  for (const block of content) {
    if (typeof block.text === 'string') {
      text += block.text;
      hasText = true;
    } else if (block.toolUse) {
      const use = block.toolUse;
      toolCalls.push({ id: use.toolUseId, type: 'function', function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) } });
    }
    // reasoningContent, citations, guardContent: nothing canonical to say.
  }
  const message: ResponseMessage = { role: 'assistant', content: hasText || toolCalls.length === 0 ? text : null };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  const completion: ChatCompletion = {
    id: completionId(),
    object: 'chat.completion',
    created: unixSeconds(),
    model: request.model,
    choices: [{ index: 0, message, finish_reason: bedrockFinishReason(response.stopReason, toolCalls.length > 0) }],
  };
  const usage = bedrockUsage(response.usage);
  if (usage) completion.usage = usage;
  return completion;
}

/** Converse's stopReason as OpenAI's finish_reason. */
export function bedrockFinishReason(stopReason: string | undefined, hasToolCalls: boolean): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return hasToolCalls ? 'tool_calls' : 'stop';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}

/** Converse counts cached prompt tokens apart from inputTokens; OpenAI's prompt_tokens includes them. */
export function bedrockUsage(usage: BedrockUsage | undefined): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  const cacheRead = count(usage.cacheReadInputTokens);
  const result = makeUsage(count(usage.inputTokens) + cacheRead + count(usage.cacheWriteInputTokens), count(usage.outputTokens));
  result.prompt_tokens_details = { cached_tokens: cacheRead };
  return result;
}

function count(value: number | undefined): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}
