import type { ChatCompletion, EmbeddingResponse, FinishReason, ResponseMessage, ToolCall, Usage } from '@llm-connector-hub/core';
import { completionId, HubErrors, makeUsage, unixSeconds, upstreamHttpError } from '@llm-connector-hub/core';
import type { MistralChatResponse, MistralContentChunk, MistralToolCall, MistralUsage } from './mistral.wire';

/** Mistral answer -> canonical completion. */
export function fromMistralResponse(provider: string, body: unknown): ChatCompletion {
  const response = body as MistralChatResponse;
  if (response === null || typeof response !== 'object' || !Array.isArray(response.choices)) {
    throw HubErrors.upstreamBadResponse(provider, 'the completion has no choices');
  }
  const completion: ChatCompletion = {
    id: typeof response.id === 'string' ? response.id : completionId(),
    object: 'chat.completion',
    created: typeof response.created === 'number' ? response.created : unixSeconds(),
    model: response.model,
    choices: response.choices.map((choice) => {
      const toolCalls = (choice.message?.tool_calls ?? []).map(toToolCall);
      const message: ResponseMessage = { role: 'assistant', content: mistralText(choice.message?.content) ?? (toolCalls.length > 0 ? null : '') };
      if (toolCalls.length > 0) message.tool_calls = toolCalls;
      return { index: choice.index, message, finish_reason: mistralFinishReason(provider, choice.finish_reason) };
    }),
  };
  const usage = mistralUsage(response.usage);
  if (usage) completion.usage = usage;
  return completion;
}

/** The text of a message's content: a string, or the text chunks of a list (thinking chunks read past); null when none. */
export function mistralText(content: string | MistralContentChunk[] | null | undefined): string | null {
  if (typeof content === 'string') return content === '' ? null : content;
  if (!Array.isArray(content)) return null;
  const texts = content.filter((chunk): chunk is { type: 'text'; text: string } => chunk.type === 'text' && typeof chunk.text === 'string');
  return texts.length > 0 ? texts.map((chunk) => chunk.text).join('') : null;
}

/** Mistral sends arguments as a JSON string, some models as an object. */
export function mistralArguments(args: MistralToolCall['function']['arguments']): string {
  return typeof args === 'string' ? args : JSON.stringify(args ?? {});
}

function toToolCall(call: MistralToolCall): ToolCall {
  return { id: call.id, type: 'function', function: { name: call.function.name, arguments: mistralArguments(call.function.arguments) } };
}

/** Mistral's finish_reason as OpenAI's; `error` (generation failed) is an upstream error, not an answer. */
export function mistralFinishReason(provider: string, reason: string | null): FinishReason | null {
  switch (reason) {
    case null:
      return null;
    case 'length':
    case 'model_length':
      return 'length';
    case 'tool_calls':
      return 'tool_calls';
    case 'error':
      throw upstreamHttpError(provider, 500, 'the model stopped with an error');
    default:
      return 'stop';
  }
}

export function mistralUsage(usage: MistralUsage | null | undefined): Usage | undefined {
  if (!usage || typeof usage !== 'object') return undefined;
  return makeUsage(usage.prompt_tokens ?? 0, usage.completion_tokens ?? 0);
}

/** Mistral's embeddings answer has OpenAI's shape. */
export function fromMistralEmbeddingResponse(provider: string, body: unknown): EmbeddingResponse {
  const response = body as EmbeddingResponse;
  if (response === null || typeof response !== 'object' || !Array.isArray(response.data)) {
    throw HubErrors.upstreamBadResponse(provider, 'the embedding answer has no data');
  }
  return { object: 'list', data: response.data, model: response.model, usage: { prompt_tokens: response.usage?.prompt_tokens ?? 0, total_tokens: response.usage?.total_tokens ?? 0 } };
}
