import { z } from 'zod';
import { defineProviderPlugin, entryFields } from '../plugin';
import { OpenAICompatibleProvider } from './openai-compatible.provider';

export const openaiCompatiblePlugin = defineProviderPlugin({
  type: 'openai-compatible',
  configSchema: z.strictObject({
    type: z.literal('openai-compatible'),
    baseUrl: entryFields.url(),
    apiKey: entryFields.secret().optional(),
    embeddings: z.boolean().optional(),
  }),
  http: true,
  secretFields: ['apiKey'],
  defaultModels: () => [],
  detectFromEnv: () => undefined,
  create: (config, { name, models, upstream, maxConcurrent }) => new OpenAICompatibleProvider({ ...config, name, models, upstream, maxConcurrent }),
});
