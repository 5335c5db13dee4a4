import type { ProviderConfig } from './config.schema';

type Env = Record<string, string | undefined>;

/**
 * The providers implied by the environment, with the SDKs' usual variable names. The mock is
 * always there so `make run` answers with no keys at all.
 */
export function providersFromEnv(env: Env): Record<string, ProviderConfig> {
  const providers: Record<string, ProviderConfig> = { mock: { type: 'mock' } };
  const value = (key: string) => {
    const v = env[key]?.trim();
    return v ? v : undefined;
  };
  const openaiKey = value('OPENAI_API_KEY');
  if (openaiKey) providers.openai = { type: 'openai', apiKey: openaiKey, baseUrl: value('OPENAI_BASE_URL') };
  const anthropicKey = value('ANTHROPIC_API_KEY');
  if (anthropicKey) providers.anthropic = { type: 'anthropic', apiKey: anthropicKey, baseUrl: value('ANTHROPIC_BASE_URL') };
  const geminiKey = value('GEMINI_API_KEY') ?? value('GOOGLE_API_KEY');
  if (geminiKey) providers.google = { type: 'google', apiKey: geminiKey, baseUrl: value('GEMINI_BASE_URL') };
  const azureKey = value('AZURE_OPENAI_API_KEY');
  const azureEndpoint = value('AZURE_OPENAI_ENDPOINT');
  if (azureKey && azureEndpoint) {
    providers['azure-openai'] = {
      type: 'azure-openai',
      apiKey: azureKey,
      endpoint: azureEndpoint,
      apiVersion: value('AZURE_OPENAI_API_VERSION'),
    };
  }
  for (const config of Object.values(providers)) {
    for (const key of Object.keys(config) as Array<keyof typeof config>) if (config[key] === undefined) delete config[key];
  }
  return providers;
}
