import type { LlmProvider } from '@llm-connector-hub/core';
import { DEFAULT_MODELS, type ProviderConfig, type UpstreamConfig } from '@llm-connector-hub/config';
import {
  AnthropicProvider,
  AzureOpenAIProvider,
  GoogleProvider,
  MockProvider,
  OpenAICompatibleProvider,
  OpenAIProvider,
} from '@llm-connector-hub/providers';

/**
 * Builds the provider instance a config entry describes, with the config's `upstream` limits
 * under the entry's own. `maxConcurrent` is the provider's bulkhead limit: its connection pool is
 * sized to carry every call the bulkhead admits.
 */
export function createProvider(name: string, config: ProviderConfig, limits: UpstreamConfig, maxConcurrent: number): LlmProvider {
  const models = config.models ?? DEFAULT_MODELS[config.type];
  if (config.type === 'mock') return new MockProvider({ ...config, name, models });
  const upstream = { ...limits, ...config.upstream };
  switch (config.type) {
    case 'openai':
      return new OpenAIProvider({ ...config, name, models, upstream, maxConcurrent });
    case 'openai-compatible':
      return new OpenAICompatibleProvider({ ...config, name, models, upstream, maxConcurrent });
    case 'azure-openai':
      return new AzureOpenAIProvider({ ...config, name, models: config.models ?? Object.keys(config.deployments ?? {}), upstream, maxConcurrent });
    case 'anthropic':
      return new AnthropicProvider({ ...config, name, models, upstream, maxConcurrent });
    case 'google':
      return new GoogleProvider({ ...config, name, models, upstream, maxConcurrent });
  }
}
