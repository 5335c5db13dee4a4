import { z } from 'zod';

/**
 * The canonical chat request (OpenAI Chat Completions) as one zod schema: the gateway validates
 * HTTP bodies with it, and the TypeScript types every provider translates from are derived from
 * it (chat-request.ts), so the two cannot disagree.
 *
 * Unknown fields: at the top level they pass through (OpenAI-compatible servers accept extras
 * such as vLLM's `top_k`; translators of other wire formats drop them). Inside messages, parts,
 * tools and the other nested objects they are refused with a 400 naming them: a misspelt field
 * there would otherwise change the conversation silently. `cache_control` on content parts and on
 * system and user messages is a known extension (Anthropic's prompt caching, in LiteLLM's
 * convention), not an unknown field.
 */

/**
 * Counts a request may carry. Each item costs gateway CPU (validation, the cache key,
 * translation) before any upstream call, so each count is bounded; the bounds sit far above
 * what real conversations send (docs/configuration.md gives the reasoning and the measured cost).
 */
export const REQUEST_COUNT_LIMITS = { messages: 4_096, contentParts: 256, toolCalls: 256, tools: 128, logitBias: 1_024 } as const;
const { messages: MAX_MESSAGES, contentParts: MAX_PARTS, toolCalls: MAX_TOOL_CALLS, tools: MAX_TOOLS, logitBias: MAX_LOGIT_BIAS } = REQUEST_COUNT_LIMITS;

/** Anthropic's prompt-caching marker on a content block. */
export const cacheControlSchema = z.strictObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });

export const textPartSchema = z.strictObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControlSchema.optional() });
const texts = z.array(textPartSchema).max(MAX_PARTS);
export const imagePartSchema = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
  cache_control: cacheControlSchema.optional(),
});
export const contentPartSchema = z.discriminatedUnion('type', [textPartSchema, imagePartSchema], {
  error: "each content part must be {type:'text', text} or {type:'image_url', image_url:{url}}",
});

export const toolCallSchema = z.strictObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});

/** `cache_control` on a system or user message marks its last content block (LiteLLM's convention for string content). */
export const systemMessageSchema = z.strictObject({
  role: z.enum(['system', 'developer']),
  content: z.union([z.string(), texts]),
  name: z.string().optional(),
  cache_control: cacheControlSchema.optional(),
});
export const userMessageSchema = z.strictObject({
  role: z.literal('user'),
  content: z.union([z.string(), z.array(contentPartSchema).min(1).max(MAX_PARTS)], { error: 'must be a string or an array of content parts' }),
  name: z.string().optional(),
  cache_control: cacheControlSchema.optional(),
});
export const assistantMessageSchema = z
  .strictObject({
    role: z.literal('assistant'),
    content: z.union([z.string(), texts, z.null()]).optional(),
    tool_calls: z.array(toolCallSchema).max(MAX_TOOL_CALLS).optional(),
    refusal: z.string().nullable().optional(),
    name: z.string().optional(),
  })
  .refine((m) => (m.content !== undefined && m.content !== null) || (m.tool_calls?.length ?? 0) > 0, {
    message: 'an assistant message needs content or tool_calls',
  });
export const toolMessageSchema = z.strictObject({
  role: z.literal('tool'),
  tool_call_id: z.string().min(1),
  content: z.union([z.string(), texts]),
});

export const chatMessageSchema = z.discriminatedUnion('role', [systemMessageSchema, userMessageSchema, assistantMessageSchema, toolMessageSchema], {
  error: "role must be one of 'system', 'developer', 'user', 'assistant', 'tool'",
});

export const functionDefinitionSchema = z.strictObject({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes'),
  description: z.string().optional(),
  /** JSON Schema of the arguments. */
  parameters: z.record(z.string(), z.unknown()).optional(),
  strict: z.boolean().nullable().optional(),
});
export const toolDefinitionSchema = z.strictObject({ type: z.literal('function'), function: functionDefinitionSchema });

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: z.string().min(1) }) }),
]);

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('text') }),
  z.strictObject({ type: z.literal('json_object') }),
  z.strictObject({
    type: z.literal('json_schema'),
    json_schema: z.strictObject({
      name: z.string().min(1),
      description: z.string().optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullable().optional(),
    }),
  }),
]);

export const positiveIntSchema = z.number().int('must be an integer').min(1, 'must be at least 1');

/**
 * The request's own fields. OpenAI also accepts `null` for each optional one; null top-level
 * fields are removed before validation (withoutNullFields), so none of these is nullable and
 * providers never have to tell null from absent.
 */
const chatRequestFields = {
  /** The model as the provider knows it (after routing: no `provider/` prefix, no alias). */
  model: z.string({ error: 'model is required and must be a string' }).min(1, 'must not be empty'),
  messages: z
    .array(chatMessageSchema, { error: 'messages is required and must be an array' })
    .min(1, 'must contain at least one message')
    .max(MAX_MESSAGES, `must contain at most ${MAX_MESSAGES} messages`),
  max_tokens: positiveIntSchema.optional(),
  max_completion_tokens: positiveIntSchema.optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  n: positiveIntSchema.max(128).optional(),
  stop: z.union([z.string(), z.array(z.string()).max(4)]).optional(),
  presence_penalty: z.number().min(-2).max(2).optional(),
  frequency_penalty: z.number().min(-2).max(2).optional(),
  seed: z.number().int().optional(),
  user: z.string().optional(),
  tools: z.array(toolDefinitionSchema).max(MAX_TOOLS).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  response_format: responseFormatSchema.optional(),
  stream: z.boolean().optional(),
  stream_options: z.strictObject({ include_usage: z.boolean().optional() }).optional(),
  logit_bias: z
    .unknown()
    .refine((bias) => bias === null || typeof bias !== 'object' || Object.keys(bias).length <= MAX_LOGIT_BIAS, `must have at most ${MAX_LOGIT_BIAS} entries`)
    .pipe(z.record(z.string(), z.number().min(-100).max(100)))
    .optional(),
  logprobs: z.boolean().optional(),
  top_logprobs: z.number().int().min(0).max(20).optional(),
  reasoning_effort: z.string().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
};

/** The rules between fields, which no single field's schema can check. */
function checkChatRequest(request: z.output<z.ZodObject<typeof chatRequestFields>>, ctx: z.RefinementCtx): void {
  if (request.stream_options && !request.stream) {
    ctx.addIssue({ code: 'custom', path: ['stream_options'], message: 'is only allowed when stream is true' });
  }
  const choice = request.tool_choice;
  if (choice && typeof choice === 'object' && !request.tools?.some((t) => t.function.name === choice.function.name)) {
    ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: 'names a function that is not in tools' });
  }
  if (choice === 'required' && !request.tools?.length) {
    ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: "'required' needs at least one tool" });
  }
}

/**
 * Removes top-level null fields of a JSON object (OpenAI's "null means unset"), in place: the
 * body was just parsed and belongs to this request alone. Exported for the other dialects of
 * OpenAI's API (libs/dialects), which follow the same rule.
 */
export function withoutNullFields(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  for (const key in record) if (record[key] === null) delete record[key];
  return body;
}

/**
 * The chat request schema with more top-level fields: the hub adds its routing fields
 * (`provider`, `timeout`) this way, keeping every rule of the canonical request.
 */
export function chatRequestSchemaWith<Extra extends z.core.$ZodLooseShape>(extra: Extra) {
  const object = z.looseObject({ ...chatRequestFields, ...extra });
  // The extended output has every canonical field, but TypeScript cannot see it through the
  // generic `Extra`; the rules read only canonical fields.
  const rules = checkChatRequest as (request: z.output<typeof object>, ctx: z.RefinementCtx) => void;
  return z.preprocess(withoutNullFields, object.superRefine(rules));
}

export const chatRequestSchema = chatRequestSchemaWith({});

/** A type without the index signature a loose zod object adds: extras ride along at run time, but code names only known fields. */
export type KnownFields<T> = { [K in keyof T as string extends K ? never : K]: T[K] };
