/**
 * Deterministic embeddings: a unit vector seeded by an FNV-1a hash of the input, so the same
 * text always embeds the same way (tests can compare vectors across formats) and different
 * texts almost surely differ.
 */
export const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 4096;

export function dimensionsOr(requested: unknown): number {
  return Number.isInteger(requested) && (requested as number) >= 1
    ? Math.min(requested as number, MAX_DIMENSIONS)
    : DEFAULT_DIMENSIONS;
}

export function embedText(text: string, dimensions: number): number[] {
  let state = fnv1a(text) || 0x9e3779b9;
  const vector = new Array<number>(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    // xorshift32: cheap, well-spread and fully determined by the seed.
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    const value = (state / 0xffffffff) * 2 - 1;
    vector[i] = value;
    norm += value * value;
  }
  norm = Math.sqrt(norm) || 1;
  for (let i = 0; i < dimensions; i++) vector[i] = Math.round((vector[i] / norm) * 1e6) / 1e6;
  return vector;
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32 bytes, base64-encoded. */
export function toBase64(vector: number[]): string {
  const floats = Float32Array.from(vector);
  return Buffer.from(floats.buffer, floats.byteOffset, floats.byteLength).toString('base64');
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}
