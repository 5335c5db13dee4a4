/**
 * What a model name may be. It travels into routing, cache keys, log lines, metric labels and
 * the `x-llm-hub-target` response header, so control characters (CR/LF would split a header),
 * lone surrogates (no UTF-8 form) and unbounded lengths are refused before any upstream call.
 * Other Unicode is allowed: an OpenAI-compatible server may name its models freely.
 */
export const MAX_MODEL_NAME_LENGTH = 256;

const CONTROL = /\p{Cc}/u;

/** Why this model name cannot be used, or undefined when it can. */
export function modelNameProblem(model: string): string | undefined {
  if (model.length === 0) return 'must not be empty';
  if (model.length > MAX_MODEL_NAME_LENGTH) return `must be at most ${MAX_MODEL_NAME_LENGTH} characters`;
  if (!model.isWellFormed()) return 'must be valid Unicode (it contains a lone surrogate)';
  if (CONTROL.test(model)) return 'must not contain control characters (such as CR, LF, tab or NUL)';
  return undefined;
}
