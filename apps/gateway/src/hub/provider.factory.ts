import type { LlmProvider } from '@llm-connector-hub/core';
import { DEFAULT_MODELS, type ProviderConfig } from '@llm-connector-hub/config';
import {
  AnthropicProvider,
  AzureOpenAIProvider,
  GoogleProvider,
  MockProvider,
  OpenAICompatibleProvider,
  OpenAIProvider,
} from '@llm-connector-hub/providers';

/**
 * Builds the provider instance a config entry describes. `maxConcurrent` is the provider's
 * bulkhead limit: its connection pool is sized to carry every call the bulkhead admits.
 */
export function createProvider(name: string, config: ProviderConfig, maxConcurrent: number): LlmProvider {
  const models = config.models ?? DEFAULT_MODELS[config.type];
  switch (config.type) {
    case 'mock':
      return new MockProvider({ ...config, name, models });
    case 'openai':
      return new OpenAIProvider({ ...config, name, models, maxConcurrent });
    case 'openai-compatible':
      return new OpenAICompatibleProvider({ ...config, name, models, maxConcurrent });
    case 'azure-openai':
      return new AzureOpenAIProvider({ ...config, name, models: config.models ?? Object.keys(config.deployments ?? {}), maxConcurrent });
    case 'anthropic':
      return new AnthropicProvider({ ...config, name, models, maxConcurrent });
    case 'google':
      return new GoogleProvider({ ...config, name, models, maxConcurrent });
  }
}
