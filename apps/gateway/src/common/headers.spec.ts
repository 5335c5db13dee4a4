import { headerValue, servedHeaders } from './headers';

describe('headerValue', () => {
  it('keeps printable ASCII as it is', () => {
    expect(headerValue('openai/gpt-4o-mini')).toBe('openai/gpt-4o-mini');
    expect(headerValue('vllm/meta-llama/Llama 3:8b')).toBe('vllm/meta-llama/Llama 3:8b');
  });

  it.each(['vllm/😀', 'vllm/模型', 'vllm/modèle', 'vllm/100%', 'a\r\nx-injected: 1', 'tab\there'])('percent-encodes %j so that it decodes back', (text) => {
    const value = headerValue(text);
    expect(value).toMatch(/^[\x20-\x7e]*$/);
    expect(value).not.toMatch(/[\r\n]/);
    expect(decodeURIComponent(value)).toBe(text);
  });

  it('never throws, even on a lone surrogate', () => {
    expect(headerValue('a\ud800b')).toBe('a%EF%BF%BDb');
  });

  it('is applied to the served target', () => {
    expect(servedHeaders({ provider: 'vllm', target: 'vllm/😀' })['x-llm-hub-target']).toBe('vllm/%F0%9F%98%80');
  });
});
