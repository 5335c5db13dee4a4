import {
  defineConfigSchema,
  loadConfig,
  maskSecrets,
  validateConfig,
  type ConfigComposition,
  type GatewayConfig,
} from '@llm-connector-hub/config';
import { UPSTREAM_DEFAULTS } from '@llm-connector-hub/core';
import { PROVIDER_PLUGINS, type Env, type ProviderPlugin } from '@llm-connector-hub/providers';
import { providerEntrySchema, type HubProviderEntry } from './provider-entries';

/** The gateway config with its provider entries validated by their plugins. */
export type HubConfig = GatewayConfig<HubProviderEntry>;

/** The config schema and environment detection composed from a list of plugins (default: the registry). */
export function configComposition(plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS): ConfigComposition<HubProviderEntry> {
  return {
    schema: defineConfigSchema({ providerEntry: providerEntrySchema(plugins), upstreamDefaults: UPSTREAM_DEFAULTS }),
    providersFromEnv: (env) => providersFromEnv(env, plugins),
  };
}

const registry = configComposition();

/** The full config schema of the registry's plugins. */
export const hubConfigSchema = registry.schema;

/** The providers implied by the environment, with the SDKs' usual variable names, each under its plugin's type. */
export function providersFromEnv(env: Env, plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS): Record<string, HubProviderEntry> {
  const providers: Record<string, HubProviderEntry> = {};
  for (const plugin of plugins) {
    const entry = plugin.detectFromEnv(env);
    if (entry) providers[plugin.type] = entry as HubProviderEntry;
  }
  return providers;
}

/** libs/config loadConfig with the registry's plugins: file, environment, validation. */
export function loadHubConfig(env: Env = process.env): HubConfig {
  return loadConfig(env as Record<string, string | undefined>, registry);
}

/** libs/config validateConfig with the registry's plugins. */
export function validateHubConfig(raw: unknown, source?: string): HubConfig {
  return validateConfig(raw, registry.schema, source);
}

/** A copy of a config with every secret masked: the config's own, and each plugin's secret fields. */
export function maskConfigSecrets<T>(value: T, plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS): T {
  return maskSecrets(value, plugins.flatMap((plugin) => plugin.secretFields));
}
