import type { Embedding, EmbeddingRequest, EmbeddingResponse } from '@llm-connector-hub/core';
import { HubErrors } from '@llm-connector-hub/core';
import type { EmbeddingTranslator } from '../shared';
import { encodeEmbedding } from '../shared/embedding-encoding';
import { googleModelId, googleModelPath } from './google.model';
import type { GoogleBatchEmbedContentsRequest, GoogleBatchEmbedContentsResponse } from './google.wire';

/**
 * OpenAI embeddings over Gemini's `batchEmbedContents`: one call for any number of inputs (the
 * single `embedContent` method would need one call per input).
 */
export class GoogleEmbeddingTranslator implements EmbeddingTranslator {
  constructor(private readonly provider: string) {}

  embedPath(request: EmbeddingRequest): string {
    return googleModelPath(request.model, 'batchEmbedContents');
  }
  toWireEmbeddingRequest(request: EmbeddingRequest): GoogleBatchEmbedContentsRequest {
    return toGoogleEmbeddingRequest(request);
  }
  fromWireEmbeddingResponse(body: unknown, request: EmbeddingRequest): EmbeddingResponse {
    return fromGoogleEmbeddingResponse(this.provider, body, request);
  }
}

export function toGoogleEmbeddingRequest(request: EmbeddingRequest): GoogleBatchEmbedContentsRequest {
  const model = `models/${googleModelId(request.model)}`;
  return {
    requests: embeddingInputs(request).map((text) => ({
      // Each entry repeats the model; Gemini rejects the batch if it differs from the URL's.
      model,
      content: { parts: [{ text }] },
      ...(request.dimensions !== undefined ? { outputDimensionality: request.dimensions } : {}),
    })),
  };
}

function embeddingInputs(request: EmbeddingRequest): string[] {
  const input = request.input;
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input) || input.length === 0) {
    throw HubErrors.invalidRequest('input must be a non-empty string or array of strings.', 'input');
  }
  if (!input.every((item): item is string => typeof item === 'string')) {
    // OpenAI also accepts pre-tokenized input (tiktoken ids); they mean nothing to Gemini's tokenizer.
    throw HubErrors.invalidRequest('Gemini embeds text only: token-array input is not supported.', 'input');
  }
  return input;
}

export function fromGoogleEmbeddingResponse(provider: string, body: unknown, request: EmbeddingRequest): EmbeddingResponse {
  const response = body as GoogleBatchEmbedContentsResponse | null;
  const embeddings = response?.embeddings;
  const expected = typeof request.input === 'string' ? 1 : request.input.length;
  if (!Array.isArray(embeddings) || embeddings.length !== expected) {
    throw HubErrors.upstreamBadResponse(provider, `expected ${expected} embeddings, got ${Array.isArray(embeddings) ? embeddings.length : 'none'}`);
  }
  const data: Embedding[] = embeddings.map((embedding, index) => {
    const values = embedding?.values;
    if (!Array.isArray(values)) throw HubErrors.upstreamBadResponse(provider, `embedding ${index} has no values`);
    return { object: 'embedding', index, embedding: encodeEmbedding(values, request.encoding_format) };
  });
  // batchEmbedContents reports no token count on the Gemini API (Vertex AI does): 0 rather than a
  // guess, so usage accounting never invents numbers.
  const tokens = response?.usageMetadata?.promptTokenCount ?? 0;
  return { object: 'list', data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}
