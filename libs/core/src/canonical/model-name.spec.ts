import { MAX_MODEL_NAME_LENGTH, modelNameProblem } from './model-name';

describe('modelNameProblem', () => {
  it.each(['gpt-4o-mini', 'openai/gpt-4o', 'together/meta-llama/Llama-3-8b', 'ft:gpt-4o:org:x:1', 'qwen2:7b', 'modèle-😀', '模型'])('accepts %s', (model) => {
    expect(modelNameProblem(model)).toBeUndefined();
  });

  it.each([
    ['', /empty/],
    ['x'.repeat(MAX_MODEL_NAME_LENGTH + 1), /at most 256/],
    ['a\r\nb', /control characters/],
    ['a\u0000', /control characters/],
    ['a\u0085', /control characters/],
    ['a\ud800b', /lone surrogate/],
  ])('refuses %j', (model, problem) => {
    expect(modelNameProblem(model)).toMatch(problem);
  });

  it('accepts a name of exactly the maximum length', () => {
    expect(modelNameProblem('x'.repeat(MAX_MODEL_NAME_LENGTH))).toBeUndefined();
  });
});
