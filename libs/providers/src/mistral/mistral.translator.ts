import type { ChatCompletion, ChatCompletionChunk, ChatRequest, EmbeddingRequest, EmbeddingResponse, SseEvent } from '@llm-connector-hub/core';
import type { ChatTranslator, EmbeddingTranslator } from '../shared';
import { mistralErrorMessage } from './mistral.errors';
import { toMistralRequest } from './mistral.request';
import { fromMistralEmbeddingResponse, fromMistralResponse } from './mistral.response';
import { createMistralStreamState, finishMistralStream, mistralStreamEvent, type MistralStreamState } from './mistral.stream';

/** Mistral's chat completions and embeddings, relative to a base URL with `/v1`. */
export class MistralTranslator implements ChatTranslator<MistralStreamState>, EmbeddingTranslator {
  constructor(private readonly provider: string) {}

  chatPath(): string {
    return '/chat/completions';
  }
  toWireRequest(request: ChatRequest, stream: boolean): unknown {
    return toMistralRequest(request, stream);
  }
  fromWireResponse(body: unknown): ChatCompletion {
    return fromMistralResponse(this.provider, body);
  }
  createStreamState(): MistralStreamState {
    return createMistralStreamState(this.provider);
  }
  fromStreamEvent(event: SseEvent, state: MistralStreamState): ChatCompletionChunk[] {
    return mistralStreamEvent(event, state);
  }
  finishStream(state: MistralStreamState): ChatCompletionChunk[] {
    return finishMistralStream(state);
  }
  isStreamDone(state: MistralStreamState): boolean {
    return state.done;
  }
  errorMessage(body: unknown): string | undefined {
    return mistralErrorMessage(body);
  }
  embedPath(): string {
    return '/embeddings';
  }
  toWireEmbeddingRequest(request: EmbeddingRequest): unknown {
    // Mistral takes a string or a list of strings, and no dimensions or user.
    return { model: request.model, input: request.input };
  }
  fromWireEmbeddingResponse(body: unknown): EmbeddingResponse {
    return fromMistralEmbeddingResponse(this.provider, body);
  }
}
