import type { ChatCompletion, ChatCompletionChunk, EmbeddingResponse } from '@llm-connector-hub/core';
import type { HubContext, HubEmbeddingContext } from './hub-context';

export type CompleteHandler = (context: HubContext) => Promise<ChatCompletion>;
export type StreamHandler = (context: HubContext) => AsyncIterable<ChatCompletionChunk>;
export type EmbedHandler = (context: HubEmbeddingContext) => Promise<EmbeddingResponse>;

/**
 * A layer of the onion pipeline: the first `use()`d middleware is the outermost. Each hook gets
 * the context and `next` (the rest of the pipeline) and may call `next` once (observe), many
 * times (retry), or never (short-circuit: a cache hit). A missing hook passes straight through.
 */
export interface HubMiddleware {
  readonly name: string;
  complete?(context: HubContext, next: CompleteHandler): Promise<ChatCompletion>;
  stream?(context: HubContext, next: StreamHandler): AsyncIterable<ChatCompletionChunk>;
  embed?(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse>;
}
