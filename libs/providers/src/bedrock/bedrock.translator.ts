import type { ChatCompletion, ChatCompletionChunk, ChatRequest } from '@llm-connector-hub/core';
import type { ChatTranslator } from '../shared';
import { bedrockErrorMessage } from './bedrock.errors';
import { BEDROCK_EVENT_STREAM_FORMAT } from './bedrock.event-stream';
import { bedrockChatPath, toBedrockRequest } from './bedrock.request';
import { fromBedrockResponse } from './bedrock.response';
import { bedrockStreamEvent, createBedrockStreamState, finishBedrockStream, type BedrockStreamState } from './bedrock.stream';
import type { BedrockStreamEvent } from './bedrock.wire';

/** The Bedrock Runtime Converse API translator; its streams are AWS event streams, not SSE. */
export class BedrockTranslator implements ChatTranslator<BedrockStreamState, BedrockStreamEvent> {
  readonly streamFormat = BEDROCK_EVENT_STREAM_FORMAT;

  constructor(private readonly provider: string) {}

  chatPath(request: ChatRequest, stream: boolean): string {
    return bedrockChatPath(request.model, stream);
  }
  toWireRequest(request: ChatRequest): unknown {
    return toBedrockRequest(request);
  }
  fromWireResponse(body: unknown, request: ChatRequest): ChatCompletion {
    return fromBedrockResponse(this.provider, body, request);
  }
  createStreamState(request: ChatRequest): BedrockStreamState {
    return createBedrockStreamState(this.provider, request);
  }
  fromStreamEvent(event: BedrockStreamEvent, state: BedrockStreamState): ChatCompletionChunk[] {
    return bedrockStreamEvent(event, state);
  }
  finishStream(state: BedrockStreamState): ChatCompletionChunk[] {
    return finishBedrockStream(state);
  }
  isStreamDone(state: BedrockStreamState): boolean {
    return state.done;
  }
  errorMessage(body: unknown): string | undefined {
    return bedrockErrorMessage(body);
  }
}
