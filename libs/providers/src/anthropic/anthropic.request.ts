import type {
  AssistantMessage,
  CacheControl,
  ChatRequest,
  ContentPart,
  TextContentPart,
  ToolCall,
  ToolChoice,
  ToolDefinition,
} from '@llm-connector-hub/core';
import { HubErrors, maxOutputTokens } from '@llm-connector-hub/core';
import { toolArgumentsObject } from '../shared';
import { ANTHROPIC_JSON_TOOL_NAME, anthropicJsonMode } from './anthropic.response-format';
import type {
  AnthropicImageBlock,
  AnthropicImageMediaType,
  AnthropicMessageParam,
  AnthropicMessagesRequest,
  AnthropicRequestBlock,
  AnthropicTextBlock,
  AnthropicTool,
  AnthropicToolChoice,
  AnthropicToolUseBlock,
} from './anthropic.wire';

/** Anthropic requires `max_tokens`; OpenAI clients often omit it, so one is always sent. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

/**
 * Canonical request -> Messages API body. Parameters Anthropic has no equivalent for
 * (seed, presence/frequency_penalty, logit_bias, logprobs, OpenAI's store `metadata`,
 * reasoning_effort) are dropped rather than refused, as OpenAI-compatible gateways usually do;
 * `n > 1` is refused because silently returning one choice would break a client counting on n.
 */
export function toAnthropicRequest(request: ChatRequest, stream: boolean): AnthropicMessagesRequest {
  if (request.n != null && request.n > 1) {
    throw HubErrors.invalidRequest('Anthropic models return one choice per request; set n to 1 or leave it out.', 'n');
  }
  const { system, messages } = toAnthropicMessages(request);
  const body: AnthropicMessagesRequest = {
    model: request.model,
    max_tokens: maxOutputTokens(request) ?? ANTHROPIC_DEFAULT_MAX_TOKENS,
    ...(system !== undefined && { system }),
    messages,
  };
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  const stops = request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (stops.length > 0) body.stop_sequences = stops;
  Object.assign(body, toAnthropicTools(request));
  if (request.user) body.metadata = { user_id: request.user };
  if (stream) body.stream = true;
  return body;
}

// ---- Messages ----

interface Turn {
  role: 'user' | 'assistant';
  blocks: AnthropicRequestBlock[];
}

/**
 * Anthropic takes system text as a top-level field and wants user/assistant turns; OpenAI
 * allows system messages anywhere, repeated roles and one `tool` message per result.
 */
export function toAnthropicMessages(request: ChatRequest): {
  system?: string | AnthropicTextBlock[];
  messages: AnthropicMessageParam[];
} {
  const system: AnthropicTextBlock[] = [];
  const turns: Turn[] = [];
  request.messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...withMessageCacheControl(textBlocks(message.content), message.cache_control));
        return;
      case 'user':
        addToTurns(turns, 'user', withMessageCacheControl(userBlocks(message.content, `${param}.content`), message.cache_control));
        return;
      case 'assistant':
        addToTurns(turns, 'assistant', assistantBlocks(message, param));
        return;
      case 'tool': {
        const content = typeof message.content === 'string' ? message.content : textBlocks(message.content);
        addToTurns(turns, 'user', [{ type: 'tool_result', tool_use_id: message.tool_call_id, content }]);
        return;
      }
      default:
        throw HubErrors.invalidRequest(`Unsupported message role '${(message as { role: string }).role}'.`, `${param}.role`);
    }
  });
  trimFinalAssistant(turns);
  openWithUser(turns);
  return {
    ...(system.length > 0 && { system: system.length === 1 && !system[0].cache_control ? system[0].text : system }),
    messages: turns.map(toMessageParam),
  };
}

/** Consecutive same-role turns are merged: Anthropic expects alternation, OpenAI does not. */
function addToTurns(turns: Turn[], role: Turn['role'], blocks: AnthropicRequestBlock[]): void {
  if (blocks.length === 0) return;
  const last = turns[turns.length - 1];
  if (!last || last.role !== role) {
    turns.push({ role, blocks });
    return;
  }
  for (const block of blocks) {
    if (block.type === 'tool_result') {
      // tool_result blocks must open a user turn (400 otherwise): keep them ahead of any text.
      const firstOther = last.blocks.findIndex((b) => b.type !== 'tool_result');
      last.blocks.splice(firstOther === -1 ? last.blocks.length : firstOther, 0, block);
    } else {
      last.blocks.push(block);
    }
  }
}

/**
 * Anthropic answers 400 when the first turn is not the user's ("first message must use the
 * user role") or when there is none, both of which OpenAI accepts: an assistant greeting opening
 * the chat, or a system-only prompt. A minimal placeholder user turn (langchain4j's fix for the
 * same problem) keeps those requests working.
 */
function openWithUser(turns: Turn[]): void {
  if (turns[0]?.role !== 'user') turns.unshift({ role: 'user', blocks: [{ type: 'text', text: PLACEHOLDER_USER_TEXT }] });
}

const PLACEHOLDER_USER_TEXT = '.';

/** Anthropic rejects a final (prefill) assistant turn that ends in whitespace. */
function trimFinalAssistant(turns: Turn[]): void {
  const last = turns[turns.length - 1];
  if (!last || last.role !== 'assistant') return;
  const block = last.blocks[last.blocks.length - 1];
  if (block?.type !== 'text') return;
  block.text = block.text.trimEnd();
  if (block.text === '') last.blocks.pop();
  if (last.blocks.length === 0) turns.pop();
}

/** A turn of one plain text block is sent as a string, the form Anthropic's docs use. */
function toMessageParam(turn: Turn): AnthropicMessageParam {
  const only = turn.blocks.length === 1 ? turn.blocks[0] : undefined;
  if (only?.type === 'text' && !only.cache_control) return { role: turn.role, content: only.text };
  return { role: turn.role, content: turn.blocks };
}

/** Text parts as blocks; empty text is dropped since Anthropic refuses empty text blocks. */
function textBlocks(content: string | TextContentPart[] | null | undefined): AnthropicTextBlock[] {
  if (content == null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  const blocks: AnthropicTextBlock[] = [];
  for (const part of content) {
    if (part.type === 'text' && part.text !== '') blocks.push(withCacheControl({ type: 'text', text: part.text }, part));
  }
  return blocks;
}

function userBlocks(content: string | ContentPart[], param: string): AnthropicRequestBlock[] {
  if (typeof content === 'string') return textBlocks(content);
  const blocks: AnthropicRequestBlock[] = [];
  content.forEach((part, j) => {
    if (part.type === 'text') blocks.push(...textBlocks([part]));
    else if (part.type === 'image_url') blocks.push(withCacheControl(imageBlock(part.image_url.url, `${param}[${j}].image_url.url`), part));
    else throw HubErrors.invalidRequest(`Unsupported content part type '${(part as { type: string }).type}'.`, `${param}[${j}].type`);
  });
  return blocks;
}

function assistantBlocks(message: AssistantMessage, param: string): AnthropicRequestBlock[] {
  const blocks: AnthropicRequestBlock[] = textBlocks(message.content);
  message.tool_calls?.forEach((call, j) => blocks.push(toolUseBlock(call, `${param}.tool_calls[${j}].function.arguments`)));
  return blocks;
}

function toolUseBlock(call: ToolCall, param: string): AnthropicToolUseBlock {
  return { type: 'tool_use', id: call.id, name: call.function.name, input: toolArgumentsObject(call.function.arguments, param) };
}

const IMAGE_TYPES: Record<string, AnthropicImageMediaType> = {
  'image/jpeg': 'image/jpeg',
  'image/jpg': 'image/jpeg',
  'image/png': 'image/png',
  'image/gif': 'image/gif',
  'image/webp': 'image/webp',
};

/** `data:` URLs are inlined as base64; http(s) URLs are fetched by Anthropic itself. */
function imageBlock(url: string, param: string): AnthropicImageBlock {
  if (/^https?:\/\//i.test(url)) return { type: 'image', source: { type: 'url', url } };
  if (!url.startsWith('data:')) {
    throw HubErrors.invalidRequest('An image URL must be an http(s) URL or a base64 data: URL.', param);
  }
  const comma = url.indexOf(',');
  const meta = comma === -1 ? [] : url.slice(5, comma).split(';');
  const mediaType = IMAGE_TYPES[(meta[0] ?? '').trim().toLowerCase()];
  if (comma === -1 || !meta.slice(1).some((m) => m.trim().toLowerCase() === 'base64')) {
    throw HubErrors.invalidRequest('An image data: URL must be base64-encoded (data:image/png;base64,...).', param);
  }
  if (!mediaType) {
    throw HubErrors.invalidRequest(
      `Image type '${meta[0]}' is not supported by Anthropic; use image/jpeg, image/png, image/gif or image/webp.`,
      param,
    );
  }
  return { type: 'image', source: { type: 'base64', media_type: mediaType, data: url.slice(comma + 1) } };
}

/**
 * Anthropic's prompt caching is opt-in per block. Clients that know it send `cache_control` on
 * OpenAI content parts (a LiteLLM convention); passing it on is what makes caching reachable.
 */
function withCacheControl<B extends AnthropicTextBlock | AnthropicImageBlock>(block: B, part: ContentPart): B {
  if (part.cache_control) block.cache_control = part.cache_control;
  return block;
}

/**
 * `cache_control` on a whole message (LiteLLM's form for string content): Anthropic caches the
 * prompt up to the marked block, so the message's last block carries it.
 */
function withMessageCacheControl<B extends AnthropicRequestBlock>(blocks: B[], cache: CacheControl | undefined): B[] {
  const last = blocks[blocks.length - 1];
  if (cache && (last?.type === 'text' || last?.type === 'image')) last.cache_control = cache;
  return blocks;
}

// ---- Tools ----

function toAnthropicTool(tool: ToolDefinition): AnthropicTool {
  const fn = tool.function;
  // input_schema is mandatory for Anthropic; a function without parameters takes an empty object.
  const schema = fn.parameters ?? { type: 'object', properties: {} };
  return {
    name: fn.name,
    ...(fn.description !== undefined && { description: fn.description }),
    input_schema: { ...schema, type: 'object' },
  };
}

/** `tools` and `tool_choice`, including the forced answer tool of `response_format` (see anthropic.response-format.ts). */
export function toAnthropicTools(request: ChatRequest): Pick<AnthropicMessagesRequest, 'tools' | 'tool_choice'> {
  const userTools = (request.tools ?? []).map(toAnthropicTool);
  const choice = request.tool_choice;
  const serial = request.parallel_tool_calls === false;
  const json = anthropicJsonMode(request);
  if (json) {
    if (userTools.some((tool) => tool.name === ANTHROPIC_JSON_TOOL_NAME)) {
      throw HubErrors.invalidRequest(
        `The tool name '${ANTHROPIC_JSON_TOOL_NAME}' is reserved on Anthropic models when response_format is set.`,
        'tools',
      );
    }
    const tools = [...userTools, json.tool];
    if (userTools.length === 0 || choice === 'none') {
      // Only the answer tool may run, and exactly once: its input is the whole answer.
      return { tools, tool_choice: { type: 'tool', name: ANTHROPIC_JSON_TOOL_NAME, disable_parallel_tool_use: true } };
    }
    if (typeof choice === 'object') return { tools, tool_choice: withSerial({ type: 'tool', name: choice.function.name }, serial) };
    // 'auto' / 'required': call one of the client's tools or answer through the answer tool, but never in free text.
    return { tools, tool_choice: withSerial({ type: 'any' }, serial) };
  }
  // Anthropic refuses tool_choice without tools; OpenAI clients sometimes send one anyway.
  if (userTools.length === 0) return {};
  const mapped = toAnthropicToolChoice(choice, serial);
  return mapped ? { tools: userTools, tool_choice: mapped } : { tools: userTools };
}

function toAnthropicToolChoice(choice: ToolChoice | undefined, serial: boolean): AnthropicToolChoice | undefined {
  if (choice === 'none') return { type: 'none' }; // takes no disable_parallel_tool_use
  if (choice === 'required') return withSerial({ type: 'any' }, serial);
  if (choice && typeof choice === 'object') return withSerial({ type: 'tool', name: choice.function.name }, serial);
  if (choice === 'auto' || serial) return withSerial({ type: 'auto' }, serial);
  return undefined;
}

function withSerial<C extends Exclude<AnthropicToolChoice, { type: 'none' }>>(choice: C, serial: boolean): C {
  return serial ? { ...choice, disable_parallel_tool_use: true } : choice;
}
