import { z } from 'zod';

/**
 * Counts a request may carry. Each item costs gateway CPU (validation, the cache key,
 * translation) before any upstream call, so each count is bounded; the bounds sit far above
 * what real conversations send (docs/configuration.md gives the reasoning and the measured cost).
 */
export const REQUEST_COUNT_LIMITS = { messages: 4_096, contentParts: 256, toolCalls: 256, tools: 128, logitBias: 1_024 } as const;
const { messages: MAX_MESSAGES, contentParts: MAX_PARTS, toolCalls: MAX_TOOL_CALLS, tools: MAX_TOOLS, logitBias: MAX_LOGIT_BIAS } = REQUEST_COUNT_LIMITS;

const textPart = z.strictObject({ type: z.literal('text'), text: z.string() });
const texts = z.array(textPart).max(MAX_PARTS);
const imagePart = z.strictObject({
  type: z.literal('image_url'),
  image_url: z.strictObject({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
});
const contentPart = z.discriminatedUnion('type', [textPart, imagePart], {
  error: "each content part must be {type:'text', text} or {type:'image_url', image_url:{url}}",
});

const toolCall = z.strictObject({
  id: z.string().min(1),
  type: z.literal('function'),
  function: z.strictObject({ name: z.string().min(1), arguments: z.string() }),
});

const message = z.discriminatedUnion(
  'role',
  [
    z.strictObject({
      role: z.enum(['system', 'developer']),
      content: z.union([z.string(), texts]),
      name: z.string().optional(),
    }),
    z.strictObject({
      role: z.literal('user'),
      content: z.union([z.string(), z.array(contentPart).min(1).max(MAX_PARTS)], { error: 'must be a string or an array of content parts' }),
      name: z.string().optional(),
    }),
    z
      .strictObject({
        role: z.literal('assistant'),
        content: z.union([z.string(), texts, z.null()]).optional(),
        tool_calls: z.array(toolCall).max(MAX_TOOL_CALLS).optional(),
        refusal: z.string().nullable().optional(),
        name: z.string().optional(),
      })
      .refine((m) => (m.content !== undefined && m.content !== null) || (m.tool_calls?.length ?? 0) > 0, {
        message: 'an assistant message needs content or tool_calls',
      }),
    z.strictObject({
      role: z.literal('tool'),
      tool_call_id: z.string().min(1),
      content: z.union([z.string(), texts]),
    }),
  ],
  { error: "role must be one of 'system', 'developer', 'user', 'assistant', 'tool'" },
);

const tool = z.strictObject({
  type: z.literal('function'),
  function: z.strictObject({
    name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes'),
    description: z.string().optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullable().optional(),
  }),
});

const toolChoice = z.union([
  z.enum(['none', 'auto', 'required']),
  z.strictObject({ type: z.literal('function'), function: z.strictObject({ name: z.string().min(1) }) }),
]);

const responseFormat = z.discriminatedUnion('type', [
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

const positiveInt = z.number().int('must be an integer').min(1, 'must be at least 1');

/**
 * OpenAI's Chat Completions request, plus the hub's `provider` and `timeout`. Unknown top-level
 * fields pass through (OpenAI-compatible servers accept extras such as vLLM's `top_k`); known
 * fields are checked for type and range so bad input gets a 400 naming the field.
 */
export const chatRequestSchema = z
  .looseObject({
    model: z.string({ error: 'model is required and must be a string' }).min(1, 'must not be empty'),
    messages: z
      .array(message, { error: 'messages is required and must be an array' })
      .min(1, 'must contain at least one message')
      .max(MAX_MESSAGES, `must contain at most ${MAX_MESSAGES} messages`),
    provider: z.string().min(1).optional(),
    timeout: positiveInt.optional(),
    max_tokens: positiveInt.nullable().optional(),
    max_completion_tokens: positiveInt.nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    n: positiveInt.max(128).nullable().optional(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullable().optional(),
    presence_penalty: z.number().min(-2).max(2).nullable().optional(),
    frequency_penalty: z.number().min(-2).max(2).nullable().optional(),
    seed: z.number().int().nullable().optional(),
    user: z.string().optional(),
    tools: z.array(tool).max(MAX_TOOLS).optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: responseFormat.optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z.strictObject({ include_usage: z.boolean().optional() }).nullable().optional(),
    logit_bias: z
      .unknown()
      .refine((bias) => bias === null || typeof bias !== 'object' || Object.keys(bias).length <= MAX_LOGIT_BIAS, `must have at most ${MAX_LOGIT_BIAS} entries`)
      .pipe(z.record(z.string(), z.number().min(-100).max(100)).nullable())
      .optional(),
    logprobs: z.boolean().nullable().optional(),
    top_logprobs: z.number().int().min(0).max(20).nullable().optional(),
  })
  .superRefine((request, ctx) => {
    if (request.stream_options && !request.stream) {
      ctx.addIssue({ code: 'custom', path: ['stream_options'], message: 'is only allowed when stream is true' });
    }
    if (request.tool_choice && typeof request.tool_choice === 'object' && !request.tools?.some((t) => t.function.name === (request.tool_choice as { function: { name: string } }).function.name)) {
      ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: 'names a function that is not in tools' });
    }
    if (request.tool_choice === 'required' && !request.tools?.length) {
      ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: "'required' needs at least one tool" });
    }
  });

export type ChatRequestBody = z.infer<typeof chatRequestSchema>;
