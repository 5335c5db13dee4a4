import { z } from 'zod';
import { defineProviderPlugin, definedFields, entryFields, envValue } from '../plugin';
import { GoogleProvider } from './google.provider';

export const googlePlugin = defineProviderPlugin({
  type: 'google',
  configSchema: z.strictObject({ type: z.literal('google'), apiKey: entryFields.secret(), baseUrl: entryFields.url().optional() }),
  http: true,
  secretFields: ['apiKey', 'x-goog-api-key'],
  defaultModels: () => ['gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.5-pro', 'text-embedding-004', 'gemini-embedding-001'],
  detectFromEnv: (env) => {
    const apiKey = envValue(env, 'GEMINI_API_KEY') ?? envValue(env, 'GOOGLE_API_KEY');
    return apiKey ? definedFields({ type: 'google' as const, apiKey, baseUrl: envValue(env, 'GEMINI_BASE_URL') }) : undefined;
  },
  create: (config, { name, models, upstream, maxConcurrent }) => new GoogleProvider({ ...config, name, models, upstream, maxConcurrent }),
});
