import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  SseEvent,
  UpstreamErrorReason,
} from '@llm-connector-hub/core';
import type { NativeWire } from './native-wire';
import type { StreamFormat } from './stream-format';

/**
 * Translates between the canonical format (OpenAI Chat Completions) and one provider's wire
 * format. Pure functions: no I/O, so every transform is unit-tested against recorded wire data.
 * Stream transforms are functions of (event, state); the state is created once per stream.
 */
export interface ChatTranslator<State = unknown, Event = SseEvent> {
  /** Path and query of the chat endpoint, relative to the provider's base URL path. */
  chatPath(request: ChatRequest, stream: boolean): string;
  /** The JSON body sent upstream. */
  toWireRequest(request: ChatRequest, stream: boolean): unknown;
  /** The upstream JSON answer as a canonical completion. */
  fromWireResponse(body: unknown, request: ChatRequest): ChatCompletion;
  /**
   * How the provider's stream is framed and decoded into events (a binary framing, say). Default
   * SSE_STREAM_FORMAT: server-sent events.
   */
  readonly streamFormat?: StreamFormat<Event>;
  createStreamState(request: ChatRequest): State;
  /**
   * One upstream stream event as zero or more canonical chunks. Throws a HubError for an error
   * event (the stream then ends with that error).
   */
  fromStreamEvent(event: Event, state: State): ChatCompletionChunk[];
  /**
   * Called when the upstream body ends. Returns trailing chunks (a usage-only chunk, say), or
   * throws HubErrors.streamInterrupted when the upstream never finished the stream properly.
   */
  finishStream(state: State): ChatCompletionChunk[];
  /** Whether the upstream said the stream is complete (e.g. `[DONE]`, `message_stop`): later bytes are ignored. */
  isStreamDone(state: State): boolean;
  /** The human message inside one of this provider's error bodies. */
  errorMessage(body: unknown): string | undefined;
  /** What one of this provider's error bodies says beyond its status (a spent quota behind a 429), if anything. */
  errorReason?(body: unknown): UpstreamErrorReason | undefined;
  /** Present when the provider's wire format is also a client-facing dialect it can pass requests through in (NativeRequest). */
  readonly native?: NativeWire;
}

export interface EmbeddingTranslator {
  embedPath(request: EmbeddingRequest): string;
  toWireEmbeddingRequest(request: EmbeddingRequest): unknown;
  fromWireEmbeddingResponse(body: unknown, request: EmbeddingRequest): EmbeddingResponse;
}
