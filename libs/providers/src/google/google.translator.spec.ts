import type { ChatRequest } from '@llm-connector-hub/core';
import { GoogleTranslator } from './google.translator';
import { fixtureJson } from './google.spec-helpers';

const translator = new GoogleTranslator('google');
const request: ChatRequest = { model: 'gemini-2.5-flash', messages: [{ role: 'user', content: 'Hi' }] };

describe('GoogleTranslator', () => {
  it('posts to generateContent, or streamGenerateContent with alt=sse', () => {
    expect(translator.chatPath(request, false)).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
    expect(translator.chatPath(request, true)).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
  });

  it('does not double a models/ prefix and encodes the model id', () => {
    expect(translator.chatPath({ ...request, model: 'models/gemini-2.5-pro' }, false)).toBe('/v1beta/models/gemini-2.5-pro:generateContent');
    expect(translator.chatPath({ ...request, model: 'odd/name?x#y' }, false)).toBe('/v1beta/models/odd%2Fname%3Fx%23y:generateContent');
  });

  it('sends the same body for streamed and unary calls (the URL says which)', () => {
    expect(translator.toWireRequest({ ...request, stream: true })).toEqual(translator.toWireRequest(request));
    expect(translator.toWireRequest(request)).toEqual({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] });
  });

  it('reads answers and error bodies', () => {
    expect(translator.fromWireResponse(fixtureJson('generate-text.json'), request).choices[0].message.content).toBe(
      'The capital of France is Paris.',
    );
    expect(translator.errorMessage(fixtureJson('error-array.json'))).toContain('API key not valid');
  });
});
