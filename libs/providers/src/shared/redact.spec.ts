import { MIN_SECRET_FRAGMENT, redactSecrets } from './redact';

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

describe('redactSecrets with part of a key', () => {
  const key = 'k3y-9f8e7d6c5b4aQwErTy0123456789abcdef';

  it.each([
    ['without its prefix', key.slice(4)],
    ['only its middle', key.slice(10, 30)],
    ['only its end', key.slice(-12)],
    ['cut off at the end', key.slice(0, 20)],
  ])('redacts the key echoed %s', (_what, echoed) => {
    const out = redactSecrets(`Invalid key ${echoed} for this org`, [key]);
    expect(out).toBe('Invalid key [REDACTED] for this org');
  });

  it('redacts every echo, and two pieces next to each other as one run', () => {
    expect(redactSecrets(`a ${key.slice(5, 20)} b ${key.slice(20)}${key.slice(0, 10)} c`, [key])).toBe('a [REDACTED] b [REDACTED] c');
  });

  it('keeps pieces shorter than MIN_SECRET_FRAGMENT, which give nothing away', () => {
    expect(MIN_SECRET_FRAGMENT).toBe(8);
    expect(redactSecrets(`ends in ${key.slice(-4)}`, [key])).toBe(`ends in ${key.slice(-4)}`);
  });

  it('redacts a 4 to 7 character secret only where it appears whole', () => {
    expect(redactSecrets('pin 4242 and 424', ['4242'])).toBe('pin [REDACTED] and 424');
  });
});
