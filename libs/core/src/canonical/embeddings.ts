import type { z } from 'zod';
import type { embeddingRequestSchema } from './embeddings.schema';

/** The canonical embeddings request, as its schema (embeddings.schema.ts) says. */
export type EmbeddingRequest = z.output<typeof embeddingRequestSchema>;

export interface Embedding {
  object: 'embedding';
  index: number;
  embedding: number[] | string;
}

export interface EmbeddingResponse {
  object: 'list';
  data: Embedding[];
  model: string;
  usage: { prompt_tokens: number; total_tokens: number };
}
