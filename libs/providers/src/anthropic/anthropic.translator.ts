import type { ChatCompletion, ChatCompletionChunk, ChatRequest, SseEvent } from '@llm-connector-hub/core';
import type { ChatTranslator, NativeWire } from '../shared';
import { anthropicErrorMessage } from './anthropic.errors';
import { ANTHROPIC_CHAT_PATH } from './anthropic.native';
import { toAnthropicRequest } from './anthropic.request';
import { fromAnthropicResponse } from './anthropic.response';
import {
  anthropicStreamEvent,
  createAnthropicStreamState,
  finishAnthropicStream,
  type AnthropicStreamState,
} from './anthropic.stream';

/** The Anthropic Messages API wire translator (no embeddings: Anthropic has no embeddings endpoint). */
export class AnthropicTranslator implements ChatTranslator<AnthropicStreamState> {
  /** `native`: how requests that came as Anthropic Messages are passed through (anthropicNativeWire). */
  constructor(
    private readonly provider: string,
    readonly native?: NativeWire,
  ) {}

  chatPath(): string {
    return ANTHROPIC_CHAT_PATH;
  }
  toWireRequest(request: ChatRequest, stream: boolean): unknown {
    return toAnthropicRequest(request, stream);
  }
  fromWireResponse(body: unknown, request: ChatRequest): ChatCompletion {
    return fromAnthropicResponse(this.provider, body, request);
  }
  createStreamState(request: ChatRequest): AnthropicStreamState {
    return createAnthropicStreamState(this.provider, request);
  }
  fromStreamEvent(event: SseEvent, state: AnthropicStreamState): ChatCompletionChunk[] {
    return anthropicStreamEvent(event, state);
  }
  finishStream(state: AnthropicStreamState): ChatCompletionChunk[] {
    return finishAnthropicStream(state);
  }
  isStreamDone(state: AnthropicStreamState): boolean {
    return state.done;
  }
  errorMessage(body: unknown): string | undefined {
    return anthropicErrorMessage(body);
  }
}
