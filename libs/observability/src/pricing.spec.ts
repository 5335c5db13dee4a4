import { DEFAULT_PRICING } from './pricing';

describe('DEFAULT_PRICING', () => {
  it('has finite, non-negative prices, cached input never above input', () => {
    for (const [model, price] of Object.entries(DEFAULT_PRICING)) {
      const prices = [price.input, price.output, price.cachedInput ?? 0];
      expect({ model, ok: prices.every((p) => Number.isFinite(p) && p >= 0) }).toEqual({ model, ok: true });
      expect({ model, ok: (price.cachedInput ?? 0) <= price.input }).toEqual({ model, ok: true });
    }
  });

  it('covers the common models of each provider', () => {
    for (const model of ['gpt-4o', 'gpt-5-mini', 'claude-sonnet-4-5', 'claude-haiku-4-5', 'gemini-2.5-flash', 'text-embedding-3-small', 'mock/*']) {
      expect(DEFAULT_PRICING[model]).toBeDefined();
    }
  });
});
