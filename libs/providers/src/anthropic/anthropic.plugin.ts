import { z } from 'zod';
import { defineProviderPlugin, definedFields, entryFields, envValue } from '../plugin';
import { AnthropicProvider } from './anthropic.provider';

export const anthropicPlugin = defineProviderPlugin({
  type: 'anthropic',
  configSchema: z.strictObject({
    type: z.literal('anthropic'),
    apiKey: entryFields.secret(),
    baseUrl: entryFields.url().optional(),
    version: z.string().optional(),
  }),
  http: true,
  secretFields: ['apiKey', 'x-api-key'],
  defaultModels: () => ['claude-3-5-haiku-latest', 'claude-3-7-sonnet-latest', 'claude-sonnet-4-0', 'claude-opus-4-0', 'claude-sonnet-4-5', 'claude-haiku-4-5'],
  detectFromEnv: (env) => {
    const apiKey = envValue(env, 'ANTHROPIC_API_KEY');
    return apiKey ? definedFields({ type: 'anthropic' as const, apiKey, baseUrl: envValue(env, 'ANTHROPIC_BASE_URL') }) : undefined;
  },
  create: (config, { name, models, upstream, maxConcurrent }) => new AnthropicProvider({ ...config, name, models, upstream, maxConcurrent }),
});
