import { z } from 'zod';
import { defineProviderPlugin, definedFields, entryFields, envValue } from '../plugin';
import { MistralProvider } from './mistral.provider';

export const mistralPlugin = defineProviderPlugin({
  type: 'mistral',
  configSchema: z.strictObject({ type: z.literal('mistral'), apiKey: entryFields.secret(), baseUrl: entryFields.url().optional() }),
  http: true,
  secretFields: ['apiKey'],
  defaultModels: () => ['mistral-large-latest', 'mistral-medium-latest', 'mistral-small-latest', 'codestral-latest', 'ministral-8b-latest', 'mistral-embed'],
  detectFromEnv: (env) => {
    const apiKey = envValue(env, 'MISTRAL_API_KEY');
    return apiKey ? definedFields({ type: 'mistral' as const, apiKey }) : undefined;
  },
  create: (config, { name, models, upstream, maxConcurrent }) => new MistralProvider({ ...config, name, models, upstream, maxConcurrent }),
});
