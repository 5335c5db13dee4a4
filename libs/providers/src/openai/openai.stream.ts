import type { ChatCompletionChunk, SseEvent } from '@llm-connector-hub/core';
import { HubErrors, upstreamHttpError } from '@llm-connector-hub/core';
import { openAIErrorMessage } from './openai.errors';

export interface OpenAIStreamState {
  provider: string;
  done: boolean;
  sawFinish: boolean;
}

export function createOpenAIStreamState(provider: string): OpenAIStreamState {
  return { provider, done: false, sawFinish: false };
}

/** OpenAI's stream is already canonical: each `data:` is a chunk; `[DONE]` ends it. */
export function openAIStreamEvent(event: SseEvent, state: OpenAIStreamState): ChatCompletionChunk[] {
  if (event.data === '[DONE]') {
    state.done = true;
    return [];
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(event.data);
  } catch {
    throw HubErrors.upstreamBadResponse(state.provider, 'a stream event is not valid JSON');
  }
  if (parsed === null || typeof parsed !== 'object') {
    throw HubErrors.upstreamBadResponse(state.provider, 'a stream event is not a JSON object');
  }
  const body = parsed as { error?: unknown };
  // `{"error": {...}}` is OpenAI's in-stream error; some servers send it as `event: error` instead.
  if (body.error != null || event.event === 'error') {
    const error = (typeof body.error === 'object' && body.error !== null ? body.error : parsed) as { status?: unknown };
    const status = Number(error.status) || 500;
    throw upstreamHttpError(state.provider, status >= 400 ? status : 500, openAIErrorMessage(parsed) ?? 'stream error');
  }
  const chunk = parsed as ChatCompletionChunk;
  if (!Array.isArray(chunk.choices)) {
    throw HubErrors.upstreamBadResponse(state.provider, 'a stream chunk has no choices');
  }
  // Azure's content-filter annotation (`choices: []`, no usage, empty id/object) carries nothing
  // canonical, and a chunk with `choices: []` must mean "the usage chunk" to everything downstream.
  if (chunk.choices.length === 0 && chunk.usage == null) return [];
  for (const choice of chunk.choices) if (choice.finish_reason) state.sawFinish = true;
  return [chunk];
}

/**
 * Some OpenAI-compatible servers end without `[DONE]`; a stream that reached a finish_reason
 * is complete, anything less was cut.
 */
export function finishOpenAIStream(state: OpenAIStreamState): ChatCompletionChunk[] {
  if (!state.done && !state.sawFinish) {
    throw HubErrors.streamInterrupted(state.provider, 'the upstream closed the stream before a finish_reason or [DONE]');
  }
  return [];
}
