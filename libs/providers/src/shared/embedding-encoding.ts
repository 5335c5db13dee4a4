import type { EmbeddingRequest } from '@llm-connector-hub/core';

/**
 * An embedding in the format the request asked for: numbers, or OpenAI's `base64` (little-endian
 * float32s). The official OpenAI SDKs ask for base64 by default and decode it themselves, so a
 * provider that computes the vector itself must honour it, not ignore it.
 */
export function encodeEmbedding(values: number[], format: EmbeddingRequest['encoding_format']): number[] | string {
  if (format !== 'base64') return values;
  const buffer = Buffer.allocUnsafe(values.length * 4);
  values.forEach((value, i) => buffer.writeFloatLE(value, i * 4));
  return buffer.toString('base64');
}
