import type { ChatRequest, ResponseFormat } from '@llm-connector-hub/core';
import type { AnthropicInputSchema, AnthropicTool } from './anthropic.wire';

/**
 * `response_format` (json_object / json_schema) on Anthropic, done the way Anthropic's own
 * "JSON mode" guide and LiteLLM do it: one extra tool whose `input_schema` is the wanted schema,
 * forced with `tool_choice`. The model's tool input *is* the answer; the response and stream
 * translators turn that tool call back into plain `content` text.
 *
 * Why not the alternatives:
 * - a system instruction ("answer in JSON") is a request, not a constraint: the model may wrap the
 *   JSON in prose or a code fence, and nothing checks the schema;
 * - Anthropic's native structured outputs (`output_config.format`) exist only on recent models and
 *   fail with 400 on the others, while a forced tool works on every tool-capable Claude model.
 *
 * A tool input must be a JSON object, so a schema whose root is not an object (an array, say) is
 * wrapped as `{ value: <schema> }` and unwrapped again in the answer.
 */
export const ANTHROPIC_JSON_TOOL_NAME = 'json_response';

/** The property holding the answer when the schema had to be wrapped. */
const WRAPPED_KEY = 'value';

const DEFAULT_DESCRIPTION =
  'Give your final answer by calling this tool. Its input is the answer itself, as a JSON value; do not answer in plain text.';

/** How the answer tool of one request looks; derived from the request alone, so the stream state can recompute it. */
export interface AnthropicJsonMode {
  tool: AnthropicTool;
  /** True when the schema root is not an object and the answer sits under `value`. */
  wrapped: boolean;
}

export function anthropicJsonMode(request: ChatRequest): AnthropicJsonMode | undefined {
  return jsonModeFor(request.response_format);
}

function jsonModeFor(format: ResponseFormat | undefined): AnthropicJsonMode | undefined {
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') {
    return {
      wrapped: false,
      tool: { name: ANTHROPIC_JSON_TOOL_NAME, description: DEFAULT_DESCRIPTION, input_schema: { type: 'object' } },
    };
  }
  const spec = format.json_schema;
  const description = spec.description ? `${DEFAULT_DESCRIPTION} ${spec.description}` : DEFAULT_DESCRIPTION;
  const schema = spec.schema ?? {};
  if (isObjectSchema(schema)) {
    return {
      wrapped: false,
      tool: { name: ANTHROPIC_JSON_TOOL_NAME, description, input_schema: { ...schema, type: 'object' } },
    };
  }
  const input_schema: AnthropicInputSchema = {
    type: 'object',
    properties: { [WRAPPED_KEY]: schema },
    required: [WRAPPED_KEY],
  };
  return { wrapped: true, tool: { name: ANTHROPIC_JSON_TOOL_NAME, description, input_schema } };
}

/** `{type: 'object', ...}`, or an untyped schema with `properties` (which JSON Schema reads as an object). */
function isObjectSchema(schema: Record<string, unknown>): boolean {
  if (schema.type === 'object') return true;
  if (schema.type !== undefined) return false;
  return schema.properties !== undefined && schema.anyOf === undefined && schema.oneOf === undefined;
}

/** The answer tool's input as the `content` text a client expects. */
export function anthropicJsonAnswer(input: unknown, wrapped: boolean): string {
  const value = wrapped && input !== null && typeof input === 'object' ? (input as Record<string, unknown>)[WRAPPED_KEY] : input;
  return JSON.stringify(value ?? (wrapped ? null : {}));
}

/** The same as {@link anthropicJsonAnswer}, from the tool input's accumulated stream text. */
export function anthropicJsonAnswerFromText(text: string, wrapped: boolean): string {
  if (text.trim() === '') return wrapped ? 'null' : '{}';
  if (!wrapped) return text;
  try {
    return anthropicJsonAnswer(JSON.parse(text), true);
  } catch {
    // A malformed input cannot be unwrapped; the raw text is the most faithful thing to show.
    return text;
  }
}
