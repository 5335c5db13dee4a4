import { z } from 'zod';

const text = z.string().min(1, 'must not be empty');
const tokens = z.array(z.number().int().min(0)).min(1, 'must not be empty');

/** OpenAI's embeddings request, plus the hub's `provider` and `timeout`. */
export const embeddingsRequestSchema = z.strictObject({
  model: z.string({ error: 'model is required and must be a string' }).min(1, 'must not be empty'),
  input: z.union([text, z.array(text).min(1, 'must not be empty').max(2048), tokens, z.array(tokens).min(1).max(2048)], {
    error: 'input must be a non-empty string, array of strings, or array of token arrays',
  }),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(65_536).optional(),
  user: z.string().optional(),
  provider: z.string().min(1).optional(),
  timeout: z.number().int().min(1).optional(),
});
