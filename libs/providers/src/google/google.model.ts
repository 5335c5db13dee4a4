/**
 * Gemini names models as resources (`models/gemini-2.5-flash`); clients and config may use
 * either spelling. Everything here works on the bare id so the prefix is never doubled.
 */
export function googleModelId(model: string): string {
  return model.startsWith('models/') ? model.slice('models/'.length) : model;
}

/** `/v1beta/models/{model}:{method}`: the bare id is encoded so a stray `/`, `?` or `#` cannot change the URL. */
export function googleModelPath(model: string, method: string): string {
  return `/v1beta/models/${encodeURIComponent(googleModelId(model))}:${method}`;
}
