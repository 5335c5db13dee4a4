import { createHash } from 'node:crypto';

/** A deterministic unit vector derived from the text's hash: same text, same embedding. */
export function mockEmbedding(text: string, dimensions: number): number[] {
  const digest = createHash('sha256').update(text).digest();
  const vector: number[] = [];
  for (let i = 0; i < dimensions; i++) vector.push(digest[i % digest.length] / 255 - 0.5);
  const norm = Math.sqrt(vector.reduce((sum, v) => sum + v * v, 0)) || 1;
  return vector.map((v) => Number((v / norm).toFixed(6)));
}
