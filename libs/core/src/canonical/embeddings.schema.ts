import { z } from 'zod';

/** The canonical embeddings request (OpenAI's). Unknown fields are refused: nothing upstream reads extras here. */
const embeddingText = z.string().min(1, 'must not be empty');
const embeddingTokens = z.array(z.number().int().min(0)).min(1, 'must not be empty');
export const embeddingRequestSchema = z.strictObject({
  /** The model as the provider knows it (after routing). */
  model: z.string({ error: 'model is required and must be a string' }).min(1, 'must not be empty'),
  input: z.union(
    [embeddingText, z.array(embeddingText).min(1, 'must not be empty').max(2048), embeddingTokens, z.array(embeddingTokens).min(1).max(2048)],
    { error: 'input must be a non-empty string, array of strings, or array of token arrays' },
  ),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(65_536).optional(),
  user: z.string().optional(),
});
