import type { ChatCompletionChunk, SseEvent } from '@llm-connector-hub/core';
import { HubErrors, unixSeconds, upstreamHttpError } from '@llm-connector-hub/core';
import { mistralErrorMessage } from './mistral.errors';
import { mistralArguments, mistralFinishReason, mistralText, mistralUsage } from './mistral.response';
import type { MistralChatResponse } from './mistral.wire';

export interface MistralStreamState {
  provider: string;
  /** Tool calls seen so far, by id: their OpenAI `index` when Mistral gives none. */
  toolIndexes: Map<string, number>;
  sawFinish: boolean;
  done: boolean;
}

export function createMistralStreamState(provider: string): MistralStreamState {
  return { provider, toolIndexes: new Map(), sawFinish: false, done: false };
}

/**
 * One Mistral SSE event -> canonical chunks. Mistral's chunks are OpenAI's but for three things:
 * the usage rides on the last content chunk (split off here into the usage-only chunk the
 * canonical stream ends with), content may be a list of chunks, and tool calls arrive whole.
 */
export function mistralStreamEvent(event: SseEvent, state: MistralStreamState): ChatCompletionChunk[] {
  if (event.data === '[DONE]') {
    state.done = true;
    return [];
  }
  let data: MistralChatResponse & { object?: string };
  try {
    data = JSON.parse(event.data) as MistralChatResponse;
  } catch {
    throw HubErrors.upstreamBadResponse(state.provider, 'a stream event is not valid JSON');
  }
  if (data === null || typeof data !== 'object') throw HubErrors.upstreamBadResponse(state.provider, 'a stream event is not a JSON object');
  if (data.object === 'error') throw upstreamHttpError(state.provider, 500, mistralErrorMessage(data) ?? 'stream error');
  if (!Array.isArray(data.choices)) throw HubErrors.upstreamBadResponse(state.provider, 'a stream chunk has no choices');
  const base = { id: data.id, object: 'chat.completion.chunk' as const, created: data.created ?? unixSeconds(), model: data.model };
  const chunks: ChatCompletionChunk[] = [];
  if (data.choices.length > 0) {
    chunks.push({
      ...base,
      choices: data.choices.map((choice) => {
        const delta = choice.delta ?? {};
        const out: ChatCompletionChunk['choices'][number]['delta'] = {};
        if (delta.role === 'assistant') out.role = 'assistant';
        const text = mistralText(delta.content);
        if (text !== null) out.content = text;
        else if (delta.role === 'assistant') out.content = '';
        if (delta.tool_calls && delta.tool_calls.length > 0) {
          out.tool_calls = delta.tool_calls.map((call) => {
            let index = state.toolIndexes.get(call.id);
            if (index === undefined) state.toolIndexes.set(call.id, (index = call.index ?? state.toolIndexes.size));
            return { index, id: call.id, type: 'function' as const, function: { name: call.function.name, arguments: mistralArguments(call.function.arguments) } };
          });
        }
        const finish = mistralFinishReason(state.provider, choice.finish_reason);
        if (finish) state.sawFinish = true;
        return { index: choice.index, delta: out, finish_reason: finish };
      }),
    });
  }
  const usage = mistralUsage(data.usage);
  if (usage) chunks.push({ ...base, choices: [], usage });
  return chunks;
}

/** A stream that ends without a finish_reason or `[DONE]` was cut. */
export function finishMistralStream(state: MistralStreamState): ChatCompletionChunk[] {
  if (!state.done && !state.sawFinish) throw HubErrors.streamInterrupted(state.provider, 'the upstream closed the stream before a finish_reason or [DONE]');
  return [];
}
