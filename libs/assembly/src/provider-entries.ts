import { z } from 'zod';
import { providerEntryFields, type ProviderEntry } from '@llm-connector-hub/config';
import type { EntrySchema, ProviderPlugin } from '@llm-connector-hub/providers';

/** A validated provider entry: its plugin's fields and the common ones. */
export type HubProviderEntry = ProviderEntry & Record<string, unknown>;

/**
 * One provider entry's schema: the union of the plugins' own schemas, each with the fields every
 * entry takes (libs/config providerEntryFields), told apart by `type`.
 */
export function providerEntrySchema(plugins: readonly ProviderPlugin[]): z.ZodType<HubProviderEntry, unknown> {
  const schemas = plugins.map((plugin) => plugin.configSchema.extend(plugin.http ? providerEntryFields.http : providerEntryFields.all));
  if (schemas.length === 0) throw new Error('no provider plugins');
  // The union's inferred type is that of an entry of any plugin: HubProviderEntry says as much.
  return z.discriminatedUnion('type', schemas as unknown as [EntrySchema, ...EntrySchema[]]) as unknown as z.ZodType<HubProviderEntry, unknown>;
}

/** The plugin of an entry's `type`. */
export function pluginFor(plugins: readonly ProviderPlugin[], type: string): ProviderPlugin {
  const plugin = plugins.find((p) => p.type === type);
  if (!plugin) throw new Error(`no provider plugin of type '${type}'`);
  return plugin;
}

/** The models an entry advertises: its own list, else its plugin's defaults. */
export function advertisedModels(plugins: readonly ProviderPlugin[], entry: ProviderEntry): readonly string[] {
  // The entry was validated by this plugin's schema (it names the plugin's type).
  return entry.models ?? pluginFor(plugins, entry.type).defaultModels(entry as HubProviderEntry as never);
}
