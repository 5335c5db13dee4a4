import { HubErrors, modelNameProblem } from '@llm-connector-hub/core';
import type { Route } from './hub-request';

/** One target of an alias: `provider/model`, optionally weighted inside its priority level. */
export type AliasTargetSpec = string | { target: string; weight?: number; priority?: number };

/** An alias points at one `provider/model` or at ordered targets (fallbacks, load balancing). */
export type AliasSpec = string | AliasTargetSpec[];

/** A route with its place in an alias's plan: lower priority first, weight within a priority. */
export interface RouteTarget extends Route {
  priority: number;
  weight: number;
}

export interface ModelRouterOptions {
  /** Alias -> `provider/model`, or ordered targets. */
  aliases?: Record<string, AliasSpec>;
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
  private readonly aliases: Map<string, RouteTarget[]>;

  constructor(
    private readonly catalog: ProviderCatalog,
    private readonly options: ModelRouterOptions = {},
  ) {
    this.aliases = new Map();
    for (const [alias, spec] of Object.entries(options.aliases ?? {})) {
      const entries = Array.isArray(spec) ? spec : [spec];
      if (entries.length === 0) throw new Error(`alias '${alias}' has no targets`);
      const targets = entries.map((entry, index) => parseTarget(alias, entry, index));
      // Stable sort: the order written in the config breaks ties between equal priorities.
      targets.sort((a, b) => a.priority - b.priority);
      this.aliases.set(alias, targets);
    }
  }

  /**
   * Every target a request may be served by, in fallback order (lower priority first). A plain
   * model name has one target; an alias may have several.
   */
  resolveTargets(model: string, provider?: string): RouteTarget[] {
    assertModelName(model);
    if (provider === undefined) {
      const targets = this.aliases.get(model);
      if (targets) {
        for (const target of targets) if (!this.catalog.has(target.provider)) throw HubErrors.providerNotFound(target.provider);
        return targets;
      }
    }
    return [{ ...this.resolve(model, provider), priority: 0, weight: 1 }];
  }

  resolve(model: string, provider?: string): Route {
    assertModelName(model);
    if (provider !== undefined) {
      if (!this.catalog.has(provider)) throw HubErrors.providerNotFound(provider);
      const prefix = `${provider}/`;
      return { provider, model: model.startsWith(prefix) ? model.slice(prefix.length) : model };
    }
    const alias = this.aliases.get(model)?.[0];
    if (alias) {
      if (!this.catalog.has(alias.provider)) throw HubErrors.providerNotFound(alias.provider);
      return { provider: alias.provider, model: alias.model };
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

  /** Each alias with its first target. */
  aliasEntries(): Array<[string, Route]> {
    return [...this.aliases.entries()].map(([alias, targets]) => [alias, { provider: targets[0].provider, model: targets[0].model }]);
  }
}

/** Refuses a model name no upstream should see (see modelNameProblem), before any routing. */
function assertModelName(model: string): void {
  const problem = modelNameProblem(model);
  if (problem) throw HubErrors.invalidModelName(problem);
}

function parseTarget(alias: string, entry: AliasTargetSpec, index: number): RouteTarget {
  const target = typeof entry === 'string' ? entry : entry.target;
  const slash = target.indexOf('/');
  if (slash <= 0) throw new Error(`alias '${alias}' must point at 'provider/model', got '${target}'`);
  const weight = typeof entry === 'string' ? 1 : (entry.weight ?? 1);
  // Without explicit priorities the list order is the fallback order.
  const priority = typeof entry === 'string' ? index : (entry.priority ?? index);
  if (!(weight > 0)) throw new Error(`alias '${alias}': weight of '${target}' must be positive`);
  return { provider: target.slice(0, slash), model: target.slice(slash + 1), priority, weight };
}
