import type { ChatRequest } from '@llm-connector-hub/core';
import { toOpenAIRequest } from './openai.request';

const base: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'You are terse.' },
    { role: 'user', content: 'Weather in Paris?' },
  ],
  temperature: 0.2,
  max_completion_tokens: 200,
  tools: [
    {
      type: 'function',
      function: { name: 'get_weather', parameters: { type: 'object', properties: { location: { type: 'string' } } } },
    },
  ],
  tool_choice: 'auto',
  parallel_tool_calls: true,
};

describe('toOpenAIRequest', () => {
  describe('streaming', () => {
    it('asks for a stream with a usage chunk, whatever the client asked', () => {
      expect(toOpenAIRequest(base, true)).toEqual({ ...base, stream: true, stream_options: { include_usage: true } });
      expect(toOpenAIRequest({ ...base, stream: true, stream_options: { include_usage: false } }, true).stream_options).toEqual({
        include_usage: true,
      });
    });

    it('keeps other stream options the client set', () => {
      const request = { ...base, stream_options: { include_usage: false, include_obfuscation: false } } as ChatRequest;
      expect(toOpenAIRequest(request, true).stream_options).toEqual({ include_usage: true, include_obfuscation: false });
    });

    it("does not change the caller's request", () => {
      const request: ChatRequest = { ...base, stream_options: { include_usage: false } };
      const snapshot = structuredClone(request);
      toOpenAIRequest(request, true);
      expect(request).toEqual(snapshot);
    });
  });

  describe('not streaming', () => {
    it('sends the request itself, without a copy, when it has no stream fields', () => {
      expect(toOpenAIRequest(base, false)).toBe(base);
    });

    it('strips stream and stream_options and keeps everything else', () => {
      const request: ChatRequest = { ...base, stream: false, stream_options: { include_usage: true } };
      const wire = toOpenAIRequest(request, false);
      expect(wire).toEqual(base);
      expect(wire).not.toHaveProperty('stream');
      expect(wire).not.toHaveProperty('stream_options');
      expect(request.stream_options).toEqual({ include_usage: true });
    });

    it('strips stream: true too (the caller decided not to stream)', () => {
      expect(toOpenAIRequest({ ...base, stream: true }, false)).toEqual(base);
    });
  });
});
