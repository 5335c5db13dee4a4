/**
 * Client-facing API dialects beside OpenAI Chat Completions (Anthropic Messages in
 * ./anthropic-messages, OpenAI Responses in ./openai-responses): each one a zod schema of the
 * request it accepts and pure translators to and from the canonical chat request, answer and chunks.
 */
export const DIALECTS = ['anthropic-messages', 'openai-responses'] as const;
export type Dialect = (typeof DIALECTS)[number];
export * from './anthropic-messages';
export * from './openai-responses';
