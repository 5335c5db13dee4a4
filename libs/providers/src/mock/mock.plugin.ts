import { z } from 'zod';
import { defineProviderPlugin } from '../plugin';
import { MockProvider } from './mock.provider';
import { MOCK_DEFAULTS } from './mock.options';

export const mockPlugin = defineProviderPlugin({
  type: 'mock',
  configSchema: z.strictObject({
    type: z.literal('mock'),
    latencyMs: z.number().int().min(0).optional(),
    chunkCount: z.number().int().min(1).max(10_000).optional(),
    chunkDelayMs: z.number().int().min(0).optional(),
    failEvery: z.number().int().min(0).optional(),
    failStatus: z.number().int().min(400).max(599).optional(),
    failMidStream: z.boolean().optional(),
  }),
  http: false,
  secretFields: [],
  defaultModels: () => MOCK_DEFAULTS.models,
  // Always there, so `make run` answers with no keys at all.
  detectFromEnv: () => ({ type: 'mock' as const }),
  create: (config, { name, models }) => new MockProvider({ ...config, name, models }),
});
