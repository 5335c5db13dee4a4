import { z } from 'zod';
import { providerEntryFields, type ProviderEntry } from '@llm-connector-hub/config';
import { PROVIDER_PLUGINS, type ProviderPlugin } from '@llm-connector-hub/providers';

/** A validated provider entry: its plugin's fields and the common ones. */
export type HubProviderEntry = ProviderEntry & Record<string, unknown>;

/**
 * One provider entry's schema: the union of the plugins' own schemas, each with the fields every
 * entry takes (libs/config providerEntryFields), told apart by `type`.
 */
export function providerEntrySchema(plugins: readonly ProviderPlugin[]): z.ZodType<HubProviderEntry, unknown> {
  const [first, ...rest] = plugins.map((plugin) => plugin.configSchema.extend(plugin.http ? providerEntryFields.http : providerEntryFields.all));
  if (!first) throw new Error('no provider plugins');
  // zod infers `{ [key]: unknown }` for a union over plugins of any shape, losing the `type`
  // every one of them has (EntrySchema): HubProviderEntry states it again.
  return z.discriminatedUnion('type', [first, ...rest]) as unknown as z.ZodType<HubProviderEntry, unknown>;
}

/** The plugin of an entry's `type`. */
export function pluginFor(type: string, plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS): ProviderPlugin {
  const plugin = plugins.find((p) => p.type === type);
  if (!plugin) throw new Error(`no provider plugin of type '${type}'`);
  return plugin;
}

/** The models an entry advertises: its own list, else its plugin's defaults. */
export function advertisedModels(entry: ProviderEntry, plugins: readonly ProviderPlugin[] = PROVIDER_PLUGINS): readonly string[] {
  // The entry was validated by this plugin's schema (it names the plugin's type).
  return entry.models ?? pluginFor(entry.type, plugins).defaultModels(entry as HubProviderEntry);
}
