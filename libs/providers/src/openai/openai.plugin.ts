import { z } from 'zod';
import { defineProviderPlugin, definedFields, entryFields, envValue } from '../plugin';
import { OpenAIProvider } from './openai.provider';

export const openaiPlugin = defineProviderPlugin({
  type: 'openai',
  configSchema: z.strictObject({
    type: z.literal('openai'),
    apiKey: entryFields.secret(),
    baseUrl: entryFields.url().optional(),
    organization: z.string().optional(),
    project: z.string().optional(),
  }),
  http: true,
  secretFields: ['apiKey'],
  defaultModels: () => ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3-mini', 'o4-mini', 'text-embedding-3-small', 'text-embedding-3-large'],
  detectFromEnv: (env) => {
    const apiKey = envValue(env, 'OPENAI_API_KEY');
    return apiKey ? definedFields({ type: 'openai' as const, apiKey, baseUrl: envValue(env, 'OPENAI_BASE_URL') }) : undefined;
  },
  create: (config, { name, models, upstream, maxConcurrent }) => new OpenAIProvider({ ...config, name, models, upstream, maxConcurrent }),
});
