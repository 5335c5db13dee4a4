import { openAIErrorReason } from './openai.errors';

describe('openAIErrorReason', () => {
  it.each(['insufficient_quota', 'credit_balance_exhausted', 'organization_spend_limit_exceeded', 'project_spend_limit_exceeded', 'organization_usage_limit_exceeded'])(
    'reads a spent quota from the code %s',
    (code) => {
      expect(openAIErrorReason({ error: { message: 'm', type: 'insufficient_quota', code } })).toBe('quota_exceeded');
      expect(openAIErrorReason({ error: { message: 'm', type: 'requests', code } })).toBe('quota_exceeded');
    },
  );

  it('reads it from the type when the code is null', () => {
    expect(openAIErrorReason({ error: { message: 'm', type: 'insufficient_quota', code: null } })).toBe('quota_exceeded');
  });

  it('says nothing for a rate limit or a body of another shape', () => {
    expect(openAIErrorReason({ error: { message: 'm', type: 'tokens', code: 'rate_limit_exceeded' } })).toBeUndefined();
    expect(openAIErrorReason({ error: 'insufficient_quota' })).toBeUndefined();
    expect(openAIErrorReason(null)).toBeUndefined();
    expect(openAIErrorReason('x')).toBeUndefined();
  });
});
