import { hubError, type AssistantMessage, type ChatMessage, type ChatRequest, type ContentPart, type ResponseFormat, type TextContentPart } from '@llm-connector-hub/core';
import type { ResponseContentPart, ResponseInputItem, ResponsesRequest } from './request.schema';
import type { OutputItem } from './response';

/** An item of a conversation: one the client sent, or one the gateway answered with (stored output). */
export type ConversationItem = ResponseInputItem | OutputItem;

/** What the gateway's store gave back for a request that names earlier state. */
export interface EarlierState {
  /** The conversation of `previous_response_id` (its input and its output), in order; [] without one. */
  history: ConversationItem[];
  /** The items `item_reference`s name, by id. */
  referenced: ReadonlyMap<string, ConversationItem>;
}

/** The request's input as items, each `item_reference` replaced by the item it names: what the store keeps of this turn. */
export function expandedInput(request: ResponsesRequest, referenced: ReadonlyMap<string, ConversationItem>): ConversationItem[] {
  return (request.input ?? []).map((item, index) => {
    if (item.type !== 'item_reference') return item;
    const found = referenced.get(item.id);
    if (!found) throw hubError('item_not_found', { id: item.id }, { param: `input[${index}].id` });
    return found;
  });
}

/**
 * The canonical chat request a Responses request asks for. `instructions` lead as a system
 * message (they are not carried over from an earlier response, as at OpenAI); a run of
 * `function_call` items joins the assistant message before it, as Chat Completions wants tool
 * calls on one assistant turn; reasoning items are dropped (no backend behind the canonical
 * request takes them back).
 */
export function responsesToChatRequest(request: ResponsesRequest, earlier: EarlierState): ChatRequest {
  const messages: ChatMessage[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  for (const item of [...earlier.history, ...expandedInput(request, earlier.referenced)]) addItem(messages, item);
  if (messages.length === 0) {
    throw hubError('invalid_value', { detail: 'input must contain at least one message' }, { param: 'input' });
  }
  const chat: ChatRequest = { model: request.model, messages };
  if (request.max_output_tokens !== undefined) chat.max_tokens = request.max_output_tokens;
  if (request.temperature !== undefined) chat.temperature = request.temperature;
  if (request.top_p !== undefined) chat.top_p = request.top_p;
  if (request.user !== undefined) chat.user = request.user;
  if (request.parallel_tool_calls !== undefined) chat.parallel_tool_calls = request.parallel_tool_calls;
  if (request.reasoning?.effort) chat.reasoning_effort = request.reasoning.effort;
  if (request.tools?.length) {
    chat.tools = request.tools.map((tool) => ({
      type: 'function',
      function: {
        name: tool.name,
        ...(tool.description != null ? { description: tool.description } : {}),
        ...(tool.parameters != null ? { parameters: tool.parameters } : {}),
        ...(tool.strict != null ? { strict: tool.strict } : {}),
      },
    }));
  }
  const choice = request.tool_choice;
  if (choice !== undefined) chat.tool_choice = typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.name } };
  const format = responseFormat(request);
  if (format) chat.response_format = format;
  if (request.stream) {
    chat.stream = true;
    // The usage chunk ends the stream's accounting and fills response.completed's usage.
    chat.stream_options = { include_usage: true };
  }
  return chat;
}

function responseFormat(request: ResponsesRequest): ResponseFormat | undefined {
  const format = request.text?.format;
  if (!format || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  return {
    type: 'json_schema',
    json_schema: {
      name: format.name,
      schema: format.schema,
      ...(format.description !== undefined ? { description: format.description } : {}),
      ...(format.strict != null ? { strict: format.strict } : {}),
    },
  };
}

function addItem(messages: ChatMessage[], item: ConversationItem): void {
  switch (item.type) {
    case 'message':
      messages.push(chatMessage(item.role, item.content));
      return;
    case 'function_call': {
      const call = { id: item.call_id, type: 'function' as const, function: { name: item.name, arguments: item.arguments } };
      const last = messages.at(-1);
      if (last?.role === 'assistant') (last.tool_calls ??= []).push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
      return;
    }
    case 'function_call_output':
      messages.push({ role: 'tool', tool_call_id: item.call_id, content: typeof item.output === 'string' ? item.output : textParts(item.output) });
      return;
    case 'reasoning':
    case 'item_reference': // stored conversations hold expanded items only
      return;
  }
}

type Role = Extract<ConversationItem, { type: 'message' }>['role'];
type Parts = Exclude<Extract<ConversationItem, { type: 'message' }>['content'], string>;

function chatMessage(role: Role, content: string | Parts): ChatMessage {
  if (role === 'assistant') {
    const message: AssistantMessage = { role: 'assistant', content: typeof content === 'string' ? content : textOf(content) };
    return message;
  }
  if (typeof content === 'string') return { role, content };
  if (role === 'user') return { role, content: content.map(userPart) };
  return { role, content: textParts(content) };
}

function userPart(part: ResponseContentPart | Parts[number]): ContentPart {
  if (part.type === 'input_image') return { type: 'image_url', image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) } };
  return { type: 'text', text: part.type === 'refusal' ? part.refusal : part.text };
}

/** Only text survives where Chat Completions takes only text (system, tool results): images there have no canonical form. */
function textParts(parts: ReadonlyArray<ResponseContentPart | Parts[number]>): TextContentPart[] {
  return parts.flatMap((part) => (part.type === 'input_image' ? [] : [{ type: 'text' as const, text: part.type === 'refusal' ? part.refusal : part.text }]));
}

function textOf(parts: ReadonlyArray<ResponseContentPart | Parts[number]>): string {
  return textParts(parts)
    .map((part) => part.text)
    .join('');
}
