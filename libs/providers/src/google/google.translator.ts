import type { ChatCompletion, ChatCompletionChunk, ChatRequest, SseEvent } from '@llm-connector-hub/core';
import type { ChatTranslator } from '../shared';
import { googleErrorMessage } from './google.errors';
import { googleModelPath } from './google.model';
import { toGoogleRequest } from './google.request';
import { fromGoogleResponse } from './google.response';
import { createGoogleStreamState, finishGoogleStream, googleStreamEvent, type GoogleStreamState } from './google.stream';
import type { GoogleGenerateContentRequest } from './google.wire';

/** The Gemini API (generativelanguage) chat translator: pure functions over the wire format. */
export class GoogleTranslator implements ChatTranslator<GoogleStreamState> {
  constructor(private readonly provider: string) {}

  chatPath(request: ChatRequest, stream: boolean): string {
    // alt=sse: without it the stream is one JSON array delivered piecemeal, which SSE parsing cannot read.
    return googleModelPath(request.model, stream ? 'streamGenerateContent?alt=sse' : 'generateContent');
  }
  toWireRequest(request: ChatRequest): GoogleGenerateContentRequest {
    return toGoogleRequest(request);
  }
  fromWireResponse(body: unknown, request: ChatRequest): ChatCompletion {
    return fromGoogleResponse(this.provider, body, request);
  }
  createStreamState(request: ChatRequest): GoogleStreamState {
    return createGoogleStreamState(this.provider, request);
  }
  fromStreamEvent(event: SseEvent, state: GoogleStreamState): ChatCompletionChunk[] {
    return googleStreamEvent(event, state);
  }
  finishStream(state: GoogleStreamState): ChatCompletionChunk[] {
    return finishGoogleStream(state);
  }
  isStreamDone(_state: GoogleStreamState): boolean {
    // Gemini sends no end marker; completeness is judged in finishStream.
    return false;
  }
  errorMessage(body: unknown): string | undefined {
    return googleErrorMessage(body);
  }
}
