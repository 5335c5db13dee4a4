import type { ChatCompletion, EmbeddingResponse } from '@llm-connector-hub/core';
import type { ChatStream } from './chat-stream';
import type { HubContext, HubEmbeddingContext } from './hub-context';

export type CompleteHandler = (context: HubContext) => Promise<ChatCompletion>;
/** Opens a stream: resolves once its first chunk is in (see ChatStream), rejects with a failure before that. */
export type StreamHandler = (context: HubContext) => Promise<ChatStream>;
export type EmbedHandler = (context: HubEmbeddingContext) => Promise<EmbeddingResponse>;

/**
 * A layer of the onion pipeline: the first `use()`d middleware is the outermost. Each hook gets
 * the context and `next` (the rest of the pipeline) and may call `next` once (observe), many
 * times (retry), or never (short-circuit: a cache hit). A missing hook passes straight through.
 *
 * `stream` opens a stream as `complete` gets an answer: the promise settles with the first chunk,
 * so the same code retries, falls back or times out either. A layer that must see the rest of a
 * stream hooks the ChatStream it got (onChunk, onEnd) and returns that same object.
 */
export interface HubMiddleware {
  readonly name: string;
  complete?(context: HubContext, next: CompleteHandler): Promise<ChatCompletion>;
  stream?(context: HubContext, next: StreamHandler): Promise<ChatStream>;
  embed?(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse>;
  /** Frees what the layer holds (connections, timers); ConnectorHub.close() calls it. */
  close?(): Promise<void>;
}
