import { makeUsage, type Usage } from '@llm-connector-hub/core';
import { CostCalculator } from './cost-calculator';

const MILLION = 1_000_000;

describe('CostCalculator', () => {
  const sut = new CostCalculator();

  it('prices an exact model: input and output per million tokens', () => {
    expect(sut.costOf('openai', 'gpt-4o', makeUsage(MILLION, MILLION))).toBeCloseTo(2.5 + 10, 10);
    expect(sut.costOf('anthropic', 'claude-3-5-haiku', makeUsage(1000, 500))).toBeCloseTo((1000 * 0.8 + 500 * 4) / MILLION, 12);
  });

  it('prices dated snapshots and -latest as the longest priced name they extend', () => {
    expect(sut.priceOf('openai', 'gpt-4o-2024-08-06')).toEqual({ input: 2.5, output: 10, cachedInput: 1.25 });
    expect(sut.priceOf('openai', 'gpt-4o-mini-2024-07-18')?.input).toBe(0.15);
    expect(sut.priceOf('anthropic', 'claude-3-5-haiku-20241022')?.input).toBe(0.8);
    expect(sut.priceOf('anthropic', 'claude-3-5-sonnet-latest')?.input).toBe(3);
    expect(sut.priceOf('anthropic', 'claude-opus-4-1-20250805')?.input).toBe(15);
    expect(sut.priceOf('vertex', 'claude-sonnet-4@20250514')?.input).toBe(3);
    expect(sut.priceOf('google', 'gemini-1.5-pro-002')?.output).toBe(5);
  });

  it('does not price a different model as the model its name starts with', () => {
    // claude-opus-4-5 costs a third of claude-opus-4; o3-pro ten times o3.
    expect(sut.priceOf('anthropic', 'claude-opus-4-5-20251101')).toBeUndefined();
    expect(sut.priceOf('openai', 'o3-pro')).toBeUndefined();
    expect(sut.priceOf('google', 'gemini-2.5-flash-image')).toBeUndefined();
  });

  it('returns undefined for an unknown model: unknown is not free', () => {
    expect(sut.costOf('ollama', 'llama3.1', makeUsage(100, 100))).toBeUndefined();
  });

  it('prices cached prompt tokens at cachedInput, the rest of the prompt at input', () => {
    const usage: Usage = { ...makeUsage(1000, 100), prompt_tokens_details: { cached_tokens: 800 } };
    expect(sut.costOf('openai', 'gpt-4o', usage)).toBeCloseTo((200 * 2.5 + 800 * 1.25 + 100 * 10) / MILLION, 12);
  });

  it('prices cached prompt tokens at input when the model has no cached price', () => {
    const usage: Usage = { ...makeUsage(1000, 0), prompt_tokens_details: { cached_tokens: 800 } };
    expect(sut.costOf('google', 'gemini-1.5-flash', usage)).toBeCloseTo((1000 * 0.075) / MILLION, 12);
  });

  it('prices embeddings (no completion tokens) and the mock provider', () => {
    const embedding = { prompt_tokens: MILLION, total_tokens: MILLION } as Usage;
    expect(sut.costOf('openai', 'text-embedding-3-small', embedding)).toBeCloseTo(0.02, 10);
    expect(sut.costOf('mock', 'mock-1', makeUsage(100, 100))).toBe(0);
  });

  it('applies config overrides: model over the table, provider/model over model', () => {
    const calc = new CostCalculator({
      'gpt-4o': { input: 1, output: 2 },
      'azure/gpt-4o': { input: 3, output: 4 },
      'llama3.1': { input: 0, output: 0 },
    });
    expect(calc.priceOf('openai', 'gpt-4o')).toEqual({ input: 1, output: 2 });
    expect(calc.priceOf('azure', 'gpt-4o')).toEqual({ input: 3, output: 4 });
    expect(calc.priceOf('azure', 'gpt-4o-2024-08-06')).toEqual({ input: 3, output: 4 });
    expect(calc.priceOf('openai', 'gpt-4o-2024-08-06')).toEqual({ input: 1, output: 2 });
    expect(calc.costOf('ollama', 'llama3.1', makeUsage(10, 10))).toBe(0);
    expect(calc.priceOf('openai', 'gpt-4o-mini')?.input).toBe(0.15);
  });

  it('prices every model of a provider with a provider/* override', () => {
    const calc = new CostCalculator({ 'ollama/*': { input: 0, output: 0 } });
    expect(calc.costOf('ollama', 'qwen2.5', makeUsage(10, 10))).toBe(0);
    expect(calc.costOf('groq', 'qwen2.5', makeUsage(10, 10))).toBeUndefined();
  });

  it('rejects negative or non-finite override prices', () => {
    expect(() => new CostCalculator({ x: { input: -1, output: 0 } })).toThrow(RangeError);
    expect(() => new CostCalculator({ x: { input: 0, output: Number.NaN } })).toThrow(RangeError);
  });

  it('keeps answering correctly past the memo bound', () => {
    const calc = new CostCalculator();
    for (let i = 0; i < 3000; i++) calc.priceOf('openai', `made-up-${i}`);
    expect(calc.priceOf('openai', 'gpt-4o')?.input).toBe(2.5);
    expect(calc.priceOf('openai', 'made-up-1')).toBeUndefined();
  });
});
