import type { ChatCompletion, EmbeddingResponse } from '@llm-connector-hub/core';
import { HubErrors } from '@llm-connector-hub/core';

export function fromOpenAIResponse(provider: string, body: unknown): ChatCompletion {
  const completion = body as ChatCompletion;
  if (completion === null || typeof completion !== 'object' || !Array.isArray(completion.choices)) {
    throw HubErrors.upstreamBadResponse(provider, 'the completion has no choices');
  }
  if (completion.object === undefined) completion.object = 'chat.completion';
  return completion;
}

export function fromOpenAIEmbeddingResponse(provider: string, body: unknown): EmbeddingResponse {
  const response = body as EmbeddingResponse;
  if (response === null || typeof response !== 'object' || !Array.isArray(response.data)) {
    throw HubErrors.upstreamBadResponse(provider, 'the embedding answer has no data');
  }
  return response;
}
