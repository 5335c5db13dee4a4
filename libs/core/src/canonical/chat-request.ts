import type { z } from 'zod';
import type {
  KnownFields,
  assistantMessageSchema,
  cacheControlSchema,
  chatMessageSchema,
  chatRequestSchema,
  contentPartSchema,
  functionDefinitionSchema,
  imagePartSchema,
  responseFormatSchema,
  systemMessageSchema,
  textPartSchema,
  toolCallSchema,
  toolChoiceSchema,
  toolDefinitionSchema,
  toolMessageSchema,
  userMessageSchema,
} from './chat-request.schema';

/**
 * The canonical request: OpenAI Chat Completions. Every provider translates from this shape;
 * nothing above the provider layer knows a provider's wire format. The types are the schema's
 * output (chat-request.schema.ts): what a valid request is, is written once.
 */
export type CacheControl = z.output<typeof cacheControlSchema>;
export type TextContentPart = z.output<typeof textPartSchema>;
export type ImageContentPart = z.output<typeof imagePartSchema>;
export type ContentPart = z.output<typeof contentPartSchema>;
export type ToolCall = z.output<typeof toolCallSchema>;
export type SystemMessage = z.output<typeof systemMessageSchema>;
export type UserMessage = z.output<typeof userMessageSchema>;
export type AssistantMessage = z.output<typeof assistantMessageSchema>;
export type ToolMessage = z.output<typeof toolMessageSchema>;
export type ChatMessage = z.output<typeof chatMessageSchema>;
export type FunctionDefinition = z.output<typeof functionDefinitionSchema>;
export type ToolDefinition = z.output<typeof toolDefinitionSchema>;
export type ToolChoice = z.output<typeof toolChoiceSchema>;
export type ResponseFormat = z.output<typeof responseFormatSchema>;
export type ChatRequest = KnownFields<z.output<typeof chatRequestSchema>>;

/** The effective output-token cap of a request, whichever of OpenAI's two names it used. */
export function maxOutputTokens(request: ChatRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens;
}

/** Concatenates the text of a message's content, ignoring non-text parts. */
export function contentText(content: string | ContentPart[] | null | undefined): string {
  if (content == null) return '';
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}
