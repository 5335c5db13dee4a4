import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  SseEvent,
  UpstreamErrorReason,
} from '@llm-connector-hub/core';
import type { ChatTranslator, EmbeddingTranslator } from '../shared';
import { openAIErrorMessage, openAIErrorReason } from './openai.errors';
import { toOpenAIRequest } from './openai.request';
import { fromOpenAIEmbeddingResponse, fromOpenAIResponse } from './openai.response';
import { createOpenAIStreamState, finishOpenAIStream, openAIStreamEvent, type OpenAIStreamState } from './openai.stream';

export interface OpenAIPaths {
  chat(request: ChatRequest): string;
  embeddings(request: EmbeddingRequest): string;
}

export const OPENAI_PATHS: OpenAIPaths = {
  chat: () => '/chat/completions',
  embeddings: () => '/embeddings',
};

/** The OpenAI wire translator, shared by `openai`, `azure-openai` and `openai-compatible` (they differ only in URLs and auth). */
export class OpenAITranslator implements ChatTranslator<OpenAIStreamState>, EmbeddingTranslator {
  constructor(
    private readonly provider: string,
    private readonly paths: OpenAIPaths = OPENAI_PATHS,
  ) {}

  chatPath(request: ChatRequest): string {
    return this.paths.chat(request);
  }
  toWireRequest(request: ChatRequest, stream: boolean): unknown {
    return toOpenAIRequest(request, stream);
  }
  fromWireResponse(body: unknown): ChatCompletion {
    return fromOpenAIResponse(this.provider, body);
  }
  createStreamState(): OpenAIStreamState {
    return createOpenAIStreamState(this.provider);
  }
  fromStreamEvent(event: SseEvent, state: OpenAIStreamState): ChatCompletionChunk[] {
    return openAIStreamEvent(event, state);
  }
  finishStream(state: OpenAIStreamState): ChatCompletionChunk[] {
    return finishOpenAIStream(state);
  }
  isStreamDone(state: OpenAIStreamState): boolean {
    return state.done;
  }
  errorMessage(body: unknown): string | undefined {
    return openAIErrorMessage(body);
  }
  errorReason(body: unknown): UpstreamErrorReason | undefined {
    return openAIErrorReason(body);
  }
  embedPath(request: EmbeddingRequest): string {
    return this.paths.embeddings(request);
  }
  toWireEmbeddingRequest(request: EmbeddingRequest): unknown {
    return request;
  }
  fromWireEmbeddingResponse(body: unknown): EmbeddingResponse {
    return fromOpenAIEmbeddingResponse(this.provider, body);
  }
}
