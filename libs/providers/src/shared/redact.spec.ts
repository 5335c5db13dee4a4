import { redactSecrets } from './redact';

describe('redactSecrets', () => {
  it('replaces every occurrence of a configured secret', () => {
    const key = '8f2b1c0d9e7a4b3c8d2e1f0a9b8c7d6e'; // an Azure key: 32 hex digits, no telltale prefix
    expect(redactSecrets(`key ${key} rejected; ${key} is not valid for this resource`, [key])).toBe(
      'key [REDACTED] rejected; [REDACTED] is not valid for this resource',
    );
  });

  it('handles secrets with characters that are special in regular expressions', () => {
    expect(redactSecrets('token a+b.c*d(e)$ leaked', ['a+b.c*d(e)$'])).toBe('token [REDACTED] leaked');
  });

  it('ignores secrets shorter than 4 characters rather than shredding the text', () => {
    expect(redactSecrets('a bad request', ['a', 'ba', ''])).toBe('a bad request');
  });

  it('redacts several secrets', () => {
    expect(redactSecrets('one=secret-one two=secret-two', ['secret-one', 'secret-two'])).toBe('one=[REDACTED] two=[REDACTED]');
  });

  it("redacts the masked key OpenAI echoes in a 401, even when it is not the configured one", () => {
    const message =
      'Incorrect API key provided: sk-proj-**********************************Vx9Q. You can find your API key at https://platform.openai.com/account/api-keys.';
    expect(redactSecrets(message, [])).toBe(
      'Incorrect API key provided: [REDACTED]. You can find your API key at https://platform.openai.com/account/api-keys.',
    );
    expect(redactSecrets('Incorrect API key provided: sk-PMafP***************************************E873.', [])).toBe(
      'Incorrect API key provided: [REDACTED].',
    );
  });

  it('redacts key-shaped strings of Anthropic and Google', () => {
    expect(redactSecrets('x-api-key sk-ant-api03-AbCdEf_123-xyz is invalid', [])).toBe('x-api-key [REDACTED] is invalid');
    expect(redactSecrets('API key not valid: AIzaSyA1b2C3d4E5f6G7h8I9j0', [])).toBe('API key not valid: [REDACTED]');
  });

  it('leaves ordinary text alone', () => {
    const text = "Rate limit reached for gpt-4o-mini on tokens per min (TPM): Limit 200000. Visit https://platform.openai.com/account/rate-limits, risk-free task-sk-small.";
    expect(redactSecrets(text, ['not-in-the-text'])).toBe(text);
  });
});
