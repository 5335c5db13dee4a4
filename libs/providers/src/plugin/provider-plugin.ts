import type { z } from 'zod';
import type { LlmProvider, UpstreamLimits } from '@llm-connector-hub/core';
import type { Http2Mode } from '../shared/upstream-pool';

export type Env = Readonly<Record<string, string | undefined>>;

/** A provider entry's own config schema: a strict object whose `type` literal names the plugin. */
export type EntrySchema<Type extends string = string> = z.ZodObject<{ type: z.ZodLiteral<Type> } & z.ZodRawShape>;

/**
 * Fields every HTTP provider entry accepts beside its own. The config validates them
 * (libs/config `providerEntryFields`), once for all plugins; a plugin's factory reads them here.
 */
export interface CommonEntryFields {
  models?: readonly string[];
  http2?: Http2Mode;
  headers?: Record<string, string>;
  upstream?: Partial<UpstreamLimits>;
}

/** What the assembly knows of an entry beside its config: its name and the limits above it. */
export interface ProviderContext {
  /** The entry's name under `providers:` (also the provider name in errors and metrics). */
  name: string;
  /** The models the entry advertises: its `models`, else the plugin's defaultModels. */
  models: readonly string[];
  /** The config's top-level `upstream` limits under the entry's own. */
  upstream: Partial<UpstreamLimits>;
  /** The provider's bulkhead limit: its connection pool carries that many calls at once. */
  maxConcurrent: number;
}

/**
 * One provider, as the rest of the system sees it: everything that names a provider type (config
 * validation, secret masking, environment detection, default models, the factory) is composed from
 * these definitions (libs/assembly), so a native provider is one folder and one registry line.
 */
export interface ProviderPlugin<Schema extends EntrySchema = EntrySchema> {
  /** The config's `type` value. */
  readonly type: string;
  /** The entry's own fields, `type` included. */
  readonly configSchema: Schema;
  /** Whether the entry also takes CommonEntryFields (an HTTP provider); else only `models`. */
  readonly http: boolean;
  /** Keys whose values are secrets wherever they appear: masked when the config is printed. */
  readonly secretFields: readonly string[];
  /** Models an entry advertises when it lists none (GET /v1/models, bare model names, metric labels). */
  defaultModels(config: z.output<Schema>): readonly string[];
  /** The entry the environment implies (the SDKs' usual variables), registered under `type`; undefined when none. */
  detectFromEnv(env: Env): z.input<Schema> | undefined;
  create(config: z.output<Schema> & CommonEntryFields, context: ProviderContext): LlmProvider;
}

/** Infers a plugin's config type from its schema; the registry holds plugins of any schema. */
export function defineProviderPlugin<Schema extends EntrySchema>(plugin: ProviderPlugin<Schema>): ProviderPlugin {
  return plugin;
}

/** The value of an environment variable, trimmed; undefined when unset or blank. */
export function envValue(env: Env, key: string): string | undefined {
  const value = env[key]?.trim();
  return value ? value : undefined;
}

/** An object without its undefined fields (an env-detected entry names only what is set). */
export function definedFields<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
