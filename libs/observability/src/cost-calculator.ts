import type { Usage } from '@llm-connector-hub/core';
import { DEFAULT_PRICING, type PricingEntry, type PricingOverrides } from './pricing';

/**
 * What may follow a priced model name for the price to apply: dated snapshots
 * (`-2024-08-06`, `-20241022`, Vertex's `@20241022`), `-latest`, Gemini's `-001`. Anything else
 * is another model: `o3-pro` is not `o3`, `claude-opus-4-5` is not `claude-opus-4` (a third of
 * the price), so a bare prefix match would misprice them.
 */
const SNAPSHOT_SUFFIX = /^(?:[-@](?:\d{8}|\d{4}-\d{2}-\d{2}|\d{3}|latest))+$/;

/** Resolutions remembered; model names come from requests, so the memo must not grow without end. */
const MAX_MEMO_ENTRIES = 1024;

/**
 * USD cost of an upstream call from its usage and the pricing table (DEFAULT_PRICING under the
 * config's overrides). A model resolves to, first match wins:
 *   1. `provider/model`, exact, then a snapshot of it;
 *   2. `model`, exact, then a snapshot of it (the longest priced name it extends);
 *   3. `provider/*`.
 * Resolutions are memoized per provider and model: costOf runs for every answer.
 */
export class CostCalculator {
  private readonly prices = new Map<string, PricingEntry>();
  /** Priced names, longest first, so the first snapshot match is the longest. */
  private readonly byLength: string[];
  private readonly memo = new Map<string, Map<string, PricingEntry | null>>();
  private memoSize = 0;

  constructor(overrides: PricingOverrides = {}, table: Readonly<Record<string, PricingEntry>> = DEFAULT_PRICING) {
    for (const [key, entry] of Object.entries(table)) this.prices.set(key, entry);
    for (const [key, entry] of Object.entries(overrides)) this.prices.set(key, checked(key, entry));
    this.byLength = [...this.prices.keys()].filter((key) => !key.endsWith('/*')).sort((a, b) => b.length - a.length);
  }

  /** USD, or undefined when the model has no price (unknown is not free). */
  costOf(provider: string, model: string, usage: Usage): number | undefined {
    const price = this.priceOf(provider, model);
    if (price === undefined) return undefined;
    const prompt = usage.prompt_tokens || 0;
    const cached = Math.min(usage.prompt_tokens_details?.cached_tokens || 0, prompt);
    const completion = usage.completion_tokens || 0;
    const micros = (prompt - cached) * price.input + cached * (price.cachedInput ?? price.input) + completion * price.output;
    return micros / 1_000_000;
  }

  priceOf(provider: string, model: string): PricingEntry | undefined {
    let byModel = this.memo.get(provider);
    const memoized = byModel?.get(model);
    if (memoized !== undefined) return memoized ?? undefined;
    const price = this.resolve(provider, model) ?? null;
    if (this.memoSize >= MAX_MEMO_ENTRIES) {
      // Rare (only with many distinct model names): start over rather than track recency.
      this.memo.clear();
      this.memoSize = 0;
      byModel = undefined;
    }
    if (byModel === undefined) {
      byModel = new Map();
      this.memo.set(provider, byModel);
    }
    byModel.set(model, price);
    this.memoSize++;
    return price ?? undefined;
  }

  private resolve(provider: string, model: string): PricingEntry | undefined {
    return this.match(`${provider}/${model}`) ?? this.match(model) ?? this.prices.get(`${provider}/*`);
  }

  private match(name: string): PricingEntry | undefined {
    const exact = this.prices.get(name);
    if (exact !== undefined) return exact;
    for (const key of this.byLength) {
      if (key.length < name.length && name.startsWith(key) && SNAPSHOT_SUFFIX.test(name.slice(key.length))) return this.prices.get(key);
    }
    return undefined;
  }
}

function checked(key: string, entry: PricingEntry): PricingEntry {
  for (const price of [entry.input, entry.output, entry.cachedInput ?? 0]) {
    if (!Number.isFinite(price) || price < 0) throw new RangeError(`pricing '${key}': prices must be finite numbers >= 0`);
  }
  return entry;
}
