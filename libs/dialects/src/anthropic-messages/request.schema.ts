import { z } from 'zod';
import { REQUEST_COUNT_LIMITS } from '@llm-connector-hub/core';

/**
 * The body of Anthropic's `POST /v1/messages` (MessageCreateParams) as the gateway accepts it.
 *
 * Unknown fields are accepted and kept, at every level (zod's loose objects): Anthropic adds
 * request fields and block types often (Claude Code sends new ones as soon as they ship), and a
 * gateway that refused them would break clients on every release. What the canonical request
 * cannot carry is dropped or refused by the translator (to-chat-request.ts), which knows the
 * backend is not Anthropic; an Anthropic backend gets the body as sent. The fields the translator
 * reads are checked here, so a misspelt known field is still a 400 naming it.
 */

const { messages: MAX_MESSAGES, contentParts: MAX_BLOCKS, tools: MAX_TOOLS } = REQUEST_COUNT_LIMITS;

/** Anthropic's prompt-caching marker. */
export const anthropicCacheControlSchema = z.looseObject({ type: z.literal('ephemeral'), ttl: z.enum(['5m', '1h']).optional() });
const cacheControl = anthropicCacheControlSchema.nullish();

export const textBlockSchema = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });

/** `base64` (media_type + data), `url`, `text` (documents) or `file`/`content` sources; the translator says which it can carry. */
const sourceSchema = z.looseObject({
  type: z.string(),
  media_type: z.string().optional(),
  data: z.string().optional(),
  url: z.string().optional(),
});
export const imageBlockSchema = z.looseObject({ type: z.literal('image'), source: sourceSchema, cache_control: cacheControl });
export const documentBlockSchema = z.looseObject({
  type: z.literal('document'),
  source: sourceSchema.extend({ content: z.union([z.string(), z.array(z.looseObject({ type: z.string() }))]).optional() }),
  title: z.string().nullish(),
  context: z.string().nullish(),
  cache_control: cacheControl,
});
export const toolUseBlockSchema = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});
export const toolResultBlockSchema = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.looseObject({ type: z.string() })).max(MAX_BLOCKS)]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});
export const thinkingBlockSchema = z.looseObject({ type: z.literal('thinking'), thinking: z.string(), signature: z.string().optional() });
export const redactedThinkingBlockSchema = z.looseObject({ type: z.literal('redacted_thinking'), data: z.string() });

const KNOWN_BLOCKS = {
  text: textBlockSchema,
  image: imageBlockSchema,
  document: documentBlockSchema,
  tool_use: toolUseBlockSchema,
  tool_result: toolResultBlockSchema,
  thinking: thinkingBlockSchema,
  redacted_thinking: redactedThinkingBlockSchema,
} as const;
type KnownBlocks = typeof KNOWN_BLOCKS;
export type KnownBlockType = keyof KnownBlocks;
export type AnthropicBlock<T extends KnownBlockType> = z.output<KnownBlocks[T]>;
/** A block of a type the gateway does not translate (server tools, search results...): kept as sent. */
export interface OtherBlock {
  type: string;
  [field: string]: unknown;
}
export type ContentBlock = AnthropicBlock<KnownBlockType> | OtherBlock;

/**
 * A content block: a known type is checked against its schema (400 naming the field), any other
 * type is kept as sent. Not a zod union: a union would let a broken known block pass as an
 * unknown one, and report "invalid input" instead of the field.
 */
const contentBlockSchema = z.looseObject({ type: z.string({ error: 'each content block needs a string type' }) }).transform((block, ctx): ContentBlock => {
  const schema = isKnownBlockType(block.type) ? KNOWN_BLOCKS[block.type] : undefined;
  if (!schema) return block;
  const result = schema.safeParse(block);
  if (result.success) return result.data;
  for (const issue of result.error.issues) ctx.addIssue({ ...issue });
  return z.NEVER;
});

function isKnownBlockType(type: string): type is KnownBlockType {
  return Object.hasOwn(KNOWN_BLOCKS, type);
}

/** Narrows a block to one known type. */
export function isBlock<T extends KnownBlockType>(block: ContentBlock, type: T): block is AnthropicBlock<T> {
  return block.type === type;
}

const blocks = z.array(contentBlockSchema).max(MAX_BLOCKS);

/**
 * A string or an array of blocks. Not a zod union either: a union reports a broken block as
 * "invalid input" at the content, where this names the block's field.
 */
function stringOrBlocks(error: string) {
  return z.union([z.string(), z.array(z.unknown())], { error }).transform((content, ctx): string | ContentBlock[] => {
    if (typeof content === 'string') return content;
    const result = blocks.safeParse(content);
    if (result.success) return result.data;
    for (const issue of result.error.issues) ctx.addIssue({ ...issue });
    return z.NEVER;
  });
}

export const messageParamSchema = z.looseObject({
  role: z.enum(['user', 'assistant'], { error: "role must be 'user' or 'assistant' (the system prompt is the top-level 'system')" }),
  content: stringOrBlocks('must be a string or an array of content blocks'),
});

/** A client tool (`custom`, or no type) or a server tool (`web_search_…`, `bash_…`): the latter carry no input_schema. */
export const toolSchema = z
  .looseObject({
    type: z.string().nullish(),
    name: z.string().min(1),
    description: z.string().optional(),
    input_schema: z.record(z.string(), z.unknown()).optional(),
    cache_control: cacheControl,
  })
  .refine((tool) => (tool.type != null && tool.type !== 'custom') || tool.input_schema !== undefined, {
    message: 'a custom tool needs an input_schema',
    path: ['input_schema'],
  });

export const toolChoiceSchema = z.discriminatedUnion(
  'type',
  [
    z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
    z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
    z.looseObject({ type: z.literal('none') }),
    z.looseObject({ type: z.literal('tool'), name: z.string().min(1), disable_parallel_tool_use: z.boolean().optional() }),
  ],
  { error: "tool_choice must be {type:'auto'|'any'|'none'} or {type:'tool', name}" },
);

export const thinkingConfigSchema = z.looseObject({ type: z.string(), budget_tokens: z.number().int().optional() });

/** What count_tokens takes: the conversation, without the sampling and output fields. */
const countTokensFields = {
  model: z.string({ error: 'model is required and must be a string' }).min(1, 'must not be empty'),
  messages: z
    .array(messageParamSchema, { error: 'messages is required and must be an array' })
    .max(MAX_MESSAGES, `must contain at most ${MAX_MESSAGES} messages`),
  system: stringOrBlocks('must be a string or an array of text blocks').optional(),
  tools: z.array(toolSchema).max(MAX_TOOLS).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingConfigSchema.optional(),
};

export const countTokensParamsSchema = z.looseObject(countTokensFields);

export const messageCreateParamsSchema = z.looseObject({
  ...countTokensFields,
  messages: countTokensFields.messages.min(1, 'must contain at least one message'),
  max_tokens: z.number({ error: 'max_tokens is required and must be an integer' }).int('must be an integer').min(1, 'must be at least 1'),
  stop_sequences: z.array(z.string()).optional(),
  stream: z.boolean().optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

export type MessageCreateParams = z.output<typeof messageCreateParamsSchema>;
export type CountTokensParams = z.output<typeof countTokensParamsSchema>;
export type MessageParam = z.output<typeof messageParamSchema>;
export type AnthropicTool = z.output<typeof toolSchema>;
export type AnthropicToolChoice = z.output<typeof toolChoiceSchema>;
