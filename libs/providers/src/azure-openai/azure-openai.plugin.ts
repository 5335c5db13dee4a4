import { z } from 'zod';
import { defineProviderPlugin, definedFields, entryFields, envValue } from '../plugin';
import { AzureOpenAIProvider } from './azure-openai.provider';

export const azureOpenAIPlugin = defineProviderPlugin({
  type: 'azure-openai',
  configSchema: z.strictObject({
    type: z.literal('azure-openai'),
    apiKey: entryFields.secret(),
    endpoint: entryFields.url(),
    apiVersion: z.string().min(1).optional(),
    deployments: z.record(z.string(), z.string().min(1)).optional(),
  }),
  http: true,
  secretFields: ['apiKey', 'api-key'],
  // A deployment map names the models this resource serves.
  defaultModels: (config) => Object.keys(config.deployments ?? {}),
  detectFromEnv: (env) => {
    const apiKey = envValue(env, 'AZURE_OPENAI_API_KEY');
    const endpoint = envValue(env, 'AZURE_OPENAI_ENDPOINT');
    if (!apiKey || !endpoint) return undefined;
    return definedFields({ type: 'azure-openai' as const, apiKey, endpoint, apiVersion: envValue(env, 'AZURE_OPENAI_API_VERSION') });
  },
  create: (config, { name, models, upstream, maxConcurrent }) => new AzureOpenAIProvider({ ...config, name, models, upstream, maxConcurrent }),
});
