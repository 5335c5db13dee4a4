/**
 * What a request asks the answer's shape to be, read from each dialect's own fields: a real
 * provider honours these without any directive, so a client's `parse()` or `generateObject` works
 * against the fake as it would upstream, and a gateway that drops the schema on the way is caught
 * (the answer is built from the schema that arrived).
 */
type Json = Record<string, unknown>;

/** Stands for `json_object` / a JSON MIME type without a schema: any JSON object will do. */
const ANY_OBJECT = { type: 'object' };

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** OpenAI (and Azure, Mistral): `response_format: {type: json_schema, json_schema: {schema}}` or `json_object`. */
export function openaiAnswerSchema(body: Json): unknown {
  const format = body.response_format;
  if (!isObject(format)) return undefined;
  if (format.type === 'json_object') return ANY_OBJECT;
  if (format.type !== 'json_schema') return undefined;
  const spec = format.json_schema;
  return isObject(spec) && spec.schema !== undefined ? spec.schema : ANY_OBJECT;
}

/** Gemini: `generationConfig.responseJsonSchema` (or the older `responseSchema`), or a JSON `responseMimeType`. */
export function geminiAnswerSchema(body: Json): unknown {
  const config = body.generationConfig;
  if (!isObject(config)) return undefined;
  if (config.responseJsonSchema !== undefined) return config.responseJsonSchema;
  if (config.responseSchema !== undefined) return config.responseSchema;
  return config.responseMimeType === 'application/json' ? ANY_OBJECT : undefined;
}

/** Anthropic: `tool_choice: {type: "tool", name}` forces that tool (how JSON answers are asked of Claude). */
export function anthropicForcedTool(body: Json): string | undefined {
  const choice = body.tool_choice;
  return isObject(choice) && choice.type === 'tool' && typeof choice.name === 'string' ? choice.name : undefined;
}
