import type { EmbeddingRequest } from '@llm-connector-hub/core';
import { HubError } from '@llm-connector-hub/core';
import { GoogleEmbeddingTranslator } from './google.embeddings';
import { fixtureJson } from './google.spec-helpers';

const translator = new GoogleEmbeddingTranslator('google');
const request: EmbeddingRequest = { model: 'gemini-embedding-001', input: ['first text', 'second text'], dimensions: 8 };

function thrown(fn: () => unknown): HubError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected a HubError');
}

describe('GoogleEmbeddingTranslator', () => {
  it('posts every input in one batchEmbedContents call', () => {
    expect(translator.embedPath(request)).toBe('/v1beta/models/gemini-embedding-001:batchEmbedContents');
    expect(translator.embedPath({ ...request, model: 'models/text-embedding-004' })).toBe('/v1beta/models/text-embedding-004:batchEmbedContents');
    expect(translator.toWireEmbeddingRequest(request)).toEqual({
      requests: [
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'first text' }] }, outputDimensionality: 8 },
        { model: 'models/gemini-embedding-001', content: { parts: [{ text: 'second text' }] }, outputDimensionality: 8 },
      ],
    });
  });

  it('sends a single string as one request, without outputDimensionality unless asked, and never doubles models/', () => {
    expect(translator.toWireEmbeddingRequest({ model: 'models/gemini-embedding-001', input: 'hello' })).toEqual({
      requests: [{ model: 'models/gemini-embedding-001', content: { parts: [{ text: 'hello' }] } }],
    });
  });

  it("maps Gemini's embeddings to OpenAI's list, in input order", () => {
    const response = translator.fromWireEmbeddingResponse(fixtureJson('batch-embed-contents.json'), request);
    expect(response.object).toBe('list');
    expect(response.model).toBe('gemini-embedding-001');
    expect(response.data.map((d) => [d.object, d.index])).toEqual([
      ['embedding', 0],
      ['embedding', 1],
    ]);
    expect(response.data[0].embedding).toEqual([0.0132, -0.0048, -0.0401, 0.0218, 0.0075, -0.0163, 0.0309, -0.0021]);
    // Gemini reports no token count for embeddings.
    expect(response.usage).toEqual({ prompt_tokens: 0, total_tokens: 0 });
  });

  it('encodes vectors as little-endian float32 base64 when asked (the OpenAI SDK default)', () => {
    const response = translator.fromWireEmbeddingResponse(fixtureJson('batch-embed-contents.json'), { ...request, encoding_format: 'base64' });
    const encoded = response.data[1].embedding as string;
    expect(typeof encoded).toBe('string');
    const bytes = Buffer.from(encoded, 'base64');
    const decoded = Array.from({ length: bytes.length / 4 }, (_, i) => bytes.readFloatLE(i * 4));
    const expected = [-0.0207, 0.0114, 0.0352, -0.0089, 0.0046, 0.0271, -0.0135, 0.0198];
    decoded.forEach((value, i) => expect(value).toBeCloseTo(expected[i], 6));
    expect(decoded).toHaveLength(8);
  });

  it('uses a token count when the upstream sends one', () => {
    const body = { ...fixtureJson<object>('batch-embed-contents.json'), usageMetadata: { promptTokenCount: 6 } };
    expect(translator.fromWireEmbeddingResponse(body, request).usage).toEqual({ prompt_tokens: 6, total_tokens: 6 });
  });

  it.each([
    [[1, 2, 3]],
    [[[1, 2], [3]]],
    [[]],
  ])('rejects input %j with a 400 naming input', (input) => {
    const error = thrown(() => translator.toWireEmbeddingRequest({ model: 'gemini-embedding-001', input }));
    expect(error.status).toBe(400);
    expect(error.param).toBe('input');
  });

  it('rejects an answer whose embedding count does not match the inputs', () => {
    const error = thrown(() => translator.fromWireEmbeddingResponse({ embeddings: [{ values: [0.1] }] }, request));
    expect(error.code).toBe('upstream_bad_response');
    expect(thrown(() => translator.fromWireEmbeddingResponse({}, request)).code).toBe('upstream_bad_response');
    expect(thrown(() => translator.fromWireEmbeddingResponse({ embeddings: [{}, {}] }, request)).code).toBe('upstream_bad_response');
  });
});
