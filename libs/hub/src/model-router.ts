import { HubErrors } from '@llm-connector-hub/core';
import type { Route } from './hub-request';

export interface ModelRouterOptions {
  /** Alias -> `provider/model`. */
  aliases?: Record<string, string>;
  /** Provider used for a bare model name that no provider lists. */
  defaultProvider?: string;
}

export interface ProviderCatalog {
  has(provider: string): boolean;
  /** The provider that lists this model, if any (first registered wins). */
  providerListing(model: string): string | undefined;
}

/**
 * Resolves what a caller asked for into a route, in this order: an explicit `provider` field;
 * an alias; a `provider/model` prefix naming a registered provider; a provider that lists the
 * model; the default provider. Model ids may themselves contain slashes
 * (`together/meta-llama/Llama-3-8b`): only the first segment is tried as a provider.
 */
export class ModelRouter {
  private readonly aliases: Map<string, Route>;

  constructor(
    private readonly catalog: ProviderCatalog,
    private readonly options: ModelRouterOptions = {},
  ) {
    this.aliases = new Map();
    for (const [alias, target] of Object.entries(options.aliases ?? {})) {
      const slash = target.indexOf('/');
      if (slash <= 0) throw new Error(`alias '${alias}' must point at 'provider/model', got '${target}'`);
      this.aliases.set(alias, { provider: target.slice(0, slash), model: target.slice(slash + 1) });
    }
  }

  resolve(model: string, provider?: string): Route {
    if (provider !== undefined) {
      if (!this.catalog.has(provider)) throw HubErrors.providerNotFound(provider);
      const prefix = `${provider}/`;
      return { provider, model: model.startsWith(prefix) ? model.slice(prefix.length) : model };
    }
    const alias = this.aliases.get(model);
    if (alias) {
      if (!this.catalog.has(alias.provider)) throw HubErrors.providerNotFound(alias.provider);
      return alias;
    }
    const slash = model.indexOf('/');
    if (slash > 0) {
      const named = model.slice(0, slash);
      if (this.catalog.has(named)) return { provider: named, model: model.slice(slash + 1) };
    }
    const listing = this.catalog.providerListing(model);
    if (listing) return { provider: listing, model };
    const fallback = this.options.defaultProvider;
    if (fallback && this.catalog.has(fallback)) return { provider: fallback, model };
    throw HubErrors.modelNotFound(model);
  }

  aliasEntries(): Array<[string, Route]> {
    return [...this.aliases.entries()];
  }
}
