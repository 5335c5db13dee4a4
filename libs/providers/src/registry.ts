import type { ProviderPlugin } from './plugin';
import { mockPlugin } from './mock/mock.plugin';
import { openaiPlugin } from './openai/openai.plugin';
import { anthropicPlugin } from './anthropic/anthropic.plugin';
import { googlePlugin } from './google/google.plugin';
import { azureOpenAIPlugin } from './azure-openai/azure-openai.plugin';
import { openaiCompatiblePlugin } from './openai-compatible/openai-compatible.plugin';
import { bedrockPlugin } from './bedrock/bedrock.plugin';
import { mistralPlugin } from './mistral/mistral.plugin';

/**
 * Every provider type the gateway knows, one line each. The order is the order the environment's
 * providers are registered in (the mock first).
 */
export const PROVIDER_PLUGINS: readonly ProviderPlugin[] = [
  mockPlugin,
  openaiPlugin,
  anthropicPlugin,
  googlePlugin,
  azureOpenAIPlugin,
  openaiCompatiblePlugin,
  bedrockPlugin,
  mistralPlugin,
];
