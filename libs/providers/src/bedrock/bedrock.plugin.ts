import { z } from 'zod';
import { defineProviderPlugin, definedFields, entryFields, envValue } from '../plugin';
import { BedrockProvider } from './bedrock.provider';

export const bedrockPlugin = defineProviderPlugin({
  type: 'bedrock',
  configSchema: z.strictObject({
    type: z.literal('bedrock'),
    region: z.string().regex(/^[a-z0-9-]+$/, 'must be an AWS region, e.g. us-east-1'),
    accessKeyId: entryFields.secret(),
    secretAccessKey: entryFields.secret(),
    sessionToken: entryFields.secret().optional(),
    baseUrl: entryFields.url().optional(),
  }),
  http: true,
  secretFields: ['secretAccessKey', 'sessionToken'],
  defaultModels: () => [
    'anthropic.claude-3-5-haiku-20241022-v1:0',
    'anthropic.claude-3-5-sonnet-20241022-v2:0',
    'amazon.nova-micro-v1:0',
    'amazon.nova-lite-v1:0',
    'amazon.nova-pro-v1:0',
    'meta.llama3-1-8b-instruct-v1:0',
    'mistral.mistral-large-2407-v1:0',
  ],
  // The AWS SDKs' variables; AWS_ENDPOINT_URL_BEDROCK_RUNTIME is their per-service endpoint override.
  detectFromEnv: (env) => {
    const region = envValue(env, 'AWS_REGION') ?? envValue(env, 'AWS_DEFAULT_REGION');
    const accessKeyId = envValue(env, 'AWS_ACCESS_KEY_ID');
    const secretAccessKey = envValue(env, 'AWS_SECRET_ACCESS_KEY');
    if (!region || !accessKeyId || !secretAccessKey) return undefined;
    return definedFields({
      type: 'bedrock' as const,
      region,
      accessKeyId,
      secretAccessKey,
      sessionToken: envValue(env, 'AWS_SESSION_TOKEN'),
      baseUrl: envValue(env, 'AWS_ENDPOINT_URL_BEDROCK_RUNTIME'),
    });
  },
  create: (config, { name, models, upstream, maxConcurrent }) => new BedrockProvider({ ...config, name, models, upstream, maxConcurrent }),
});
