import { LabelPolicy } from './label-policy';

describe('LabelPolicy', () => {
  const sut = new LabelPolicy({ providers: ['openai', 'anthropic'], models: ['gpt-4o', 'claude-sonnet-4'] });

  it('keeps configured providers and models', () => {
    expect([sut.provider('openai'), sut.model('claude-sonnet-4')]).toEqual(['openai', 'claude-sonnet-4']);
  });

  it('maps providers and models the config does not name to other', () => {
    expect([sut.provider('evil'), sut.model('gpt-4o-2024-08-06'), sut.model('GPT-4O')]).toEqual(['other', 'other', 'other']);
  });

  it('maps a missing provider or model (not routed) to none', () => {
    expect([sut.provider(undefined), sut.model(undefined), sut.model('')]).toEqual(['none', 'none', 'none']);
  });

  it('is idempotent: mapped values map to themselves (GatewayMetrics maps what callers already mapped)', () => {
    for (const name of ['openai', 'evil', undefined]) expect(sut.provider(sut.provider(name))).toBe(sut.provider(name));
    for (const name of ['gpt-4o', 'gpt-9000', undefined]) expect(sut.model(sut.model(name))).toBe(sut.model(name));
  });
});
