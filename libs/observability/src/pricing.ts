/** USD per million tokens. */
export interface PricingEntry {
  input: number;
  output: number;
  /** Prompt tokens read from the provider's prompt cache; priced as `input` when absent. */
  cachedInput?: number;
}

/**
 * Price overrides from config (`observability.pricing`), by `model` or `provider/model` (the latter
 * wins for that provider). Plain type: the config lib validates it, this lib does not need zod.
 */
export type PricingOverrides = Record<string, { input: number; output: number; cachedInput?: number }>;

/**
 * List prices as published by the providers, taken 2026-11, USD per million tokens, for the
 * standard (non-batch, non-priority) tier. Prices change: config overrides them
 * (`observability.pricing`), and a model missing here has no cost (not a cost of 0).
 *
 * Keys are model names; a dated snapshot or `-latest` of a model (`gpt-4o-2024-08-06`,
 * `claude-3-5-haiku-20241022`) is priced as the model (CostCalculator). `provider/*` prices every
 * model of a provider by its configured name.
 *
 * Simplifications: Gemini 2.5 Pro and 1.5 Pro charge more for prompts over 200k / 128k tokens;
 * the lower tier is listed. Anthropic's prompt cache writes (1.25x input) are priced as input.
 */
export const DEFAULT_PRICING: Readonly<Record<string, PricingEntry>> = {
  // OpenAI
  'gpt-4o': { input: 2.5, output: 10, cachedInput: 1.25 },
  'gpt-4o-mini': { input: 0.15, output: 0.6, cachedInput: 0.075 },
  'gpt-4.1': { input: 2, output: 8, cachedInput: 0.5 },
  'gpt-4.1-mini': { input: 0.4, output: 1.6, cachedInput: 0.1 },
  'gpt-4.1-nano': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  o3: { input: 2, output: 8, cachedInput: 0.5 },
  'o4-mini': { input: 1.1, output: 4.4, cachedInput: 0.275 },
  'gpt-5': { input: 1.25, output: 10, cachedInput: 0.125 },
  'gpt-5-mini': { input: 0.25, output: 2, cachedInput: 0.025 },
  'gpt-5-nano': { input: 0.05, output: 0.4, cachedInput: 0.005 },
  'text-embedding-3-small': { input: 0.02, output: 0 },
  'text-embedding-3-large': { input: 0.13, output: 0 },
  // Anthropic
  'claude-3-5-haiku': { input: 0.8, output: 4, cachedInput: 0.08 },
  'claude-3-5-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-3-7-sonnet': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-sonnet-4': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-sonnet-4-5': { input: 3, output: 15, cachedInput: 0.3 },
  'claude-opus-4': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-opus-4-1': { input: 15, output: 75, cachedInput: 1.5 },
  'claude-haiku-4-5': { input: 1, output: 5, cachedInput: 0.1 },
  // Google
  'gemini-2.5-pro': { input: 1.25, output: 10, cachedInput: 0.31 },
  'gemini-2.5-flash': { input: 0.3, output: 2.5, cachedInput: 0.075 },
  'gemini-2.5-flash-lite': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gemini-2.0-flash': { input: 0.1, output: 0.4, cachedInput: 0.025 },
  'gemini-1.5-pro': { input: 1.25, output: 5 },
  'gemini-1.5-flash': { input: 0.075, output: 0.3 },
  'text-embedding-004': { input: 0, output: 0 },
  // The mock provider (tests, load tests) answers for free, whatever its models are called.
  'mock/*': { input: 0, output: 0 },
};
