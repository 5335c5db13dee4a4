import { z } from 'zod';
import { functionDefinitionSchema, REQUEST_COUNT_LIMITS, withoutNullFields } from '@llm-connector-hub/core';

/**
 * The body of `POST /v1/responses` that the gateway accepts: OpenAI's Responses API as far as it
 * can be served by translating to the canonical chat request. What cannot be served (OpenAI's
 * hosted tools, background runs, conversations, prompt templates, file inputs) is refused with a
 * 400 naming the field, never dropped silently: the answer would not be the one asked for.
 *
 * Items and parts are plain zod objects (unknown keys stripped, not refused): the SDKs echo
 * fields of earlier output items back (`status`, `id`, `logprobs`...) that change nothing here.
 */

const { messages: MAX_ITEMS, contentParts: MAX_PARTS, tools: MAX_TOOLS } = REQUEST_COUNT_LIMITS;

const inputTextPart = z.object({ type: z.literal('input_text'), text: z.string() });
const inputImagePart = z.object({
  type: z.literal('input_image'),
  image_url: z.string({ error: 'is required: the gateway takes images by URL or data: URL (no file_id)' }).min(1),
  detail: z.enum(['auto', 'low', 'high']).optional(),
});
const outputTextPart = z.object({ type: z.literal('output_text'), text: z.string() });
const refusalPart = z.object({ type: z.literal('refusal'), refusal: z.string() });
const contentPart = z.discriminatedUnion('type', [inputTextPart, inputImagePart, outputTextPart, refusalPart], {
  error: "each content part must be {type:'input_text'}, {type:'input_image', image_url}, {type:'output_text'} or {type:'refusal'} (input_file is not supported)",
});

const messageItem = z.object({
  type: z.literal('message'),
  role: z.enum(['user', 'assistant', 'system', 'developer'], { error: "role must be one of 'user', 'assistant', 'system', 'developer'" }),
  content: z.union([z.string(), z.array(contentPart).min(1).max(MAX_PARTS)], {
    error: "must be a string or an array of content parts: input_text, input_image (with image_url), output_text, refusal (input_file is not supported)",
  }),
  id: z.string().optional(),
});
const functionCallItem = z.object({
  type: z.literal('function_call'),
  call_id: z.string().min(1),
  name: z.string().min(1),
  arguments: z.string(),
  id: z.string().optional(),
});
const functionCallOutputItem = z.object({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), z.array(contentPart).max(MAX_PARTS)]),
  id: z.string().optional(),
});
const itemReference = z.object({ type: z.literal('item_reference'), id: z.string().min(1) });
/** Reasoning of an earlier turn: accepted and dropped (no backend behind the canonical request can take it back). */
const reasoningItem = z.object({ type: z.literal('reasoning'), id: z.string().optional() });

/** A message may leave out `type` (the SDKs' "easy" form). */
const withMessageType = (item: unknown): unknown =>
  item !== null && typeof item === 'object' && !('type' in item) && 'role' in item ? { ...item, type: 'message' } : item;

export const inputItemSchema = z.preprocess(
  withMessageType,
  z.discriminatedUnion('type', [messageItem, functionCallItem, functionCallOutputItem, itemReference, reasoningItem], {
    error: "each input item must be a message, 'function_call', 'function_call_output', 'item_reference' or 'reasoning'",
  }),
);

const functionTool = z.object({
  type: z.literal('function'),
  name: functionDefinitionSchema.shape.name,
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
/** OpenAI's built-in tools (web_search, file_search, code_interpreter, mcp, custom...) run at OpenAI or need its own tool formats; no backend here has them. */
const toolSchema = z
  .looseObject({ type: z.string({ error: 'is required' }) })
  .superRefine((tool, ctx) => {
    if (tool.type !== 'function') {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `'${tool.type}' is a built-in tool type of OpenAI's, which no backend behind the gateway has; only 'function' tools are supported` });
    }
  })
  .pipe(functionTool);

const toolChoiceSchema = z.union(
  [z.enum(['none', 'auto', 'required']), z.object({ type: z.literal('function'), name: z.string().min(1) })],
  { error: "must be 'none', 'auto', 'required' or {type:'function', name} (hosted tool choices are not supported)" },
);

const formatSchema = z.discriminatedUnion(
  'type',
  [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      name: z.string().min(1),
      schema: z.record(z.string(), z.unknown()),
      description: z.string().optional(),
      strict: z.boolean().nullish(),
    }),
  ],
  { error: "must be {type:'text'}, {type:'json_object'} or {type:'json_schema', name, schema}" },
);

/** Fields OpenAI has and the gateway refuses: what each would need is not behind a chat request. */
const REFUSED = {
  background: 'background responses are not supported: ask with stream: true instead',
  conversation: 'conversations are not supported: use previous_response_id, or send the whole input',
  prompt: 'prompt templates are not supported: send instructions and input',
} as const;

const responsesRequestFields = z.object({
  model: z.string({ error: 'model is required and must be a string' }).min(1, 'must not be empty'),
  /** A string is one user message: made an item here, so a bad item's error names the item, not "string or array". */
  input: z
    .preprocess(
      (input) => (typeof input === 'string' ? [{ type: 'message', role: 'user', content: input }] : input),
      z.array(inputItemSchema, { error: 'must be a string or an array of input items' }).max(MAX_ITEMS, `must contain at most ${MAX_ITEMS} items`),
    )
    .optional(),
  instructions: z.string().optional(),
  tools: z.array(toolSchema).max(MAX_TOOLS).optional(),
  tool_choice: toolChoiceSchema.optional(),
  parallel_tool_calls: z.boolean().optional(),
  text: z.object({ format: formatSchema.optional(), verbosity: z.string().nullish() }).optional(),
  max_output_tokens: z.number().int('must be an integer').min(1, 'must be at least 1').optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  reasoning: z.object({ effort: z.string().nullish(), summary: z.string().nullish() }).optional(),
  store: z.boolean().optional(),
  previous_response_id: z.string().min(1).optional(),
  stream: z.boolean().optional(),
  metadata: z.record(z.string(), z.string()).optional(),
  user: z.string().optional(),
  include: z.array(z.string()).optional(),
  truncation: z.enum(['auto', 'disabled']).optional(),
  background: z.boolean().optional(),
  conversation: z.unknown().optional(),
  prompt: z.unknown().optional(),
});

/** The rules between fields, and the fields the gateway refuses. */
function checkResponsesRequest(request: z.output<typeof responsesRequestFields>, ctx: z.RefinementCtx): void {
  for (const [field, message] of Object.entries(REFUSED)) {
    const value = request[field as keyof typeof REFUSED];
    if (value !== undefined && value !== false) ctx.addIssue({ code: 'custom', path: [field], message });
  }
  if (request.input === undefined && request.previous_response_id === undefined) {
    ctx.addIssue({ code: 'custom', path: ['input'], message: 'is required (unless previous_response_id is given)' });
  }
  const choice = request.tool_choice;
  if (choice && typeof choice === 'object' && !request.tools?.some((tool) => tool.name === choice.name)) {
    ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: 'names a function that is not in tools' });
  }
  if (choice === 'required' && !request.tools?.length) {
    ctx.addIssue({ code: 'custom', path: ['tool_choice'], message: "'required' needs at least one tool" });
  }
}

/** Top-level nulls mean "unset" as in OpenAI's API (removed before validation, as for chat). */
export const responsesRequestSchema = z.preprocess(withoutNullFields, responsesRequestFields.superRefine(checkResponsesRequest));

export type ResponsesRequest = z.output<typeof responsesRequestSchema>;
export type ResponseInputItem = z.output<typeof inputItemSchema>;
export type ResponseContentPart = z.output<typeof contentPart>;
export type ResponsesTool = z.output<typeof functionTool>;
