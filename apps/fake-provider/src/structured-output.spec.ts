import { anthropicForcedTool, geminiAnswerSchema, openaiAnswerSchema } from './structured-output';

const schema = { type: 'object', properties: { city: { type: 'string' } } };

describe('structured output requests, per dialect', () => {
  it('reads OpenAI response_format', () => {
    expect(openaiAnswerSchema({ response_format: { type: 'json_schema', json_schema: { name: 'c', schema } } })).toEqual(schema);
    expect(openaiAnswerSchema({ response_format: { type: 'json_object' } })).toEqual({ type: 'object' });
    expect(openaiAnswerSchema({ response_format: { type: 'text' } })).toBeUndefined();
    expect(openaiAnswerSchema({})).toBeUndefined();
  });

  it('reads Gemini generationConfig', () => {
    expect(geminiAnswerSchema({ generationConfig: { responseMimeType: 'application/json', responseJsonSchema: schema } })).toEqual(schema);
    expect(geminiAnswerSchema({ generationConfig: { responseSchema: schema } })).toEqual(schema);
    expect(geminiAnswerSchema({ generationConfig: { responseMimeType: 'application/json' } })).toEqual({ type: 'object' });
    expect(geminiAnswerSchema({ generationConfig: { temperature: 0 } })).toBeUndefined();
  });

  it("reads Anthropic's forced tool_choice only", () => {
    expect(anthropicForcedTool({ tool_choice: { type: 'tool', name: 'json_response' } })).toBe('json_response');
    expect(anthropicForcedTool({ tool_choice: { type: 'any' } })).toBeUndefined();
    expect(anthropicForcedTool({ tool_choice: { type: 'auto' } })).toBeUndefined();
  });
});
