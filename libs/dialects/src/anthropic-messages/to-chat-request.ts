import { HubErrors, type CacheControl, type ChatMessage, type ChatRequest, type ContentPart, type TextContentPart, type ToolCall, type ToolChoice, type ToolDefinition } from '@llm-connector-hub/core';
import {
  imageBlockSchema,
  isBlock,
  type AnthropicBlock,
  type AnthropicTool,
  type AnthropicToolChoice,
  type ContentBlock,
  type CountTokensParams,
  type MessageCreateParams,
} from './request.schema';

/**
 * What to do with what the canonical request cannot carry (documents other than text, server
 * tools and their result blocks, other unknown block types): `refuse` answers a 400 naming it
 * (the default: the conversation would change silently otherwise); `drop` leaves it out, for a
 * caller that sends the original body to an Anthropic backend and needs the canonical request
 * only for routing, caching and accounting.
 */
export interface TranslationOptions {
  untranslatable?: 'refuse' | 'drop';
}

/** The most stop sequences the canonical request carries (OpenAI's limit). */
const MAX_STOP_SEQUENCES = 4;

/**
 * Anthropic Messages → the canonical chat request (docs/api.md, "Anthropic Messages API", says
 * what maps to what). Thinking blocks from earlier turns and the thinking config are dropped:
 * their signatures are Anthropic's, which no other backend can check, and `reasoning_effort`
 * sent to a model without reasoning is a 400 at OpenAI. `top_k` is dropped too (OpenAI refuses
 * it). `stream_options.include_usage` is always asked for: the stream's message_delta needs it.
 */
export function toChatRequest(params: MessageCreateParams, options: TranslationOptions = {}): ChatRequest {
  const translator = new Translator(options.untranslatable ?? 'refuse');
  if (params.stop_sequences && params.stop_sequences.length > MAX_STOP_SEQUENCES) {
    translator.untranslatable(`at most ${MAX_STOP_SEQUENCES} stop sequences can be translated for this model`, 'stop_sequences');
  }
  const request: ChatRequest = {
    model: params.model,
    messages: translator.messages(params),
    max_tokens: params.max_tokens,
  };
  if (params.temperature !== undefined) request.temperature = params.temperature;
  if (params.top_p !== undefined) request.top_p = params.top_p;
  if (params.stop_sequences?.length) request.stop = params.stop_sequences.slice(0, MAX_STOP_SEQUENCES);
  if (params.metadata?.user_id) request.user = params.metadata.user_id;
  Object.assign(request, translator.tools(params));
  if (params.stream) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
  return request;
}

/** The conversation alone (count_tokens has no max_tokens): what an estimate counts. */
export function toChatConversation(params: CountTokensParams, options: TranslationOptions = {}): Pick<ChatRequest, 'messages' | 'tools'> {
  const translator = new Translator(options.untranslatable ?? 'refuse');
  return { messages: translator.messages(params), ...translator.tools(params) };
}

class Translator {
  constructor(private readonly mode: 'refuse' | 'drop') {}

  untranslatable(what: string, param: string): void {
    if (this.mode === 'refuse') throw HubErrors.invalidRequest(`Invalid '${param}': ${what}; only an Anthropic backend takes it.`, param, 'invalid_value');
  }

  messages(params: CountTokensParams): ChatMessage[] {
    const out: ChatMessage[] = [];
    if (params.system !== undefined) {
      const system = typeof params.system === 'string' ? params.system : this.texts(params.system, 'system');
      if (system.length > 0) out.push({ role: 'system', content: system });
    }
    params.messages.forEach((message, i) => {
      const param = `messages[${i}].content`;
      if (message.role === 'assistant') this.assistant(message.content, param, out);
      else this.user(message.content, param, out);
    });
    return out;
  }

  tools(params: CountTokensParams): Pick<ChatRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'> {
    const out: Pick<ChatRequest, 'tools' | 'tool_choice' | 'parallel_tool_calls'> = {};
    const tools = (params.tools ?? []).flatMap((tool, i) => this.tool(tool, `tools[${i}]`));
    if (tools.length > 0) out.tools = tools;
    const choice = params.tool_choice;
    // Anthropic accepts a tool_choice with no tools (it means nothing then); OpenAI refuses one.
    if (choice && tools.length > 0) {
      out.tool_choice = toolChoice(choice);
      if ('disable_parallel_tool_use' in choice && choice.disable_parallel_tool_use) out.parallel_tool_calls = false;
    }
    return out;
  }

  private tool(tool: AnthropicTool, param: string): ToolDefinition[] {
    if (tool.type != null && tool.type !== 'custom') {
      this.untranslatable(`the server tool '${tool.type}' runs at Anthropic`, `${param}.type`);
      return [];
    }
    const definition: ToolDefinition['function'] = { name: tool.name, parameters: tool.input_schema };
    if (tool.description !== undefined) definition.description = tool.description;
    return [{ type: 'function', function: definition }];
  }

  /** System blocks: text only (Anthropic's own rule). */
  private texts(blocks: ContentBlock[], param: string): TextContentPart[] {
    return blocks.flatMap((block, j) => {
      if (isBlock(block, 'text')) return [textPart(block)];
      this.untranslatable(`a '${block.type}' block cannot be part of the system prompt`, `${param}[${j}]`);
      return [];
    });
  }

  /** A user turn: its tool results become tool messages first (Anthropic puts them first too), then the rest as one user message. */
  private user(content: string | ContentBlock[], param: string, out: ChatMessage[]): void {
    if (typeof content === 'string') {
      out.push({ role: 'user', content });
      return;
    }
    const parts: ContentPart[] = [];
    content.forEach((block, j) => {
      const at = `${param}[${j}]`;
      if (isBlock(block, 'tool_result')) {
        const { text, images } = this.toolResult(block, at);
        out.push({ role: 'tool', tool_call_id: block.tool_use_id, content: text });
        // Chat's tool messages carry text only: images a tool returned (a screenshot) follow in the user turn.
        parts.push(...images);
      } else {
        parts.push(...this.userPart(block, at));
      }
    });
    if (parts.length > 0) out.push({ role: 'user', content: parts });
  }

  private userPart(block: ContentBlock, param: string): ContentPart[] {
    if (isBlock(block, 'text')) return [textPart(block)];
    if (isBlock(block, 'image')) return this.image(block, param);
    if (isBlock(block, 'document')) return this.document(block, param);
    // Thinking blocks belong to assistant turns; Anthropic refuses them here, other backends never see them.
    if (isBlock(block, 'thinking') || isBlock(block, 'redacted_thinking')) return [];
    this.untranslatable(`a '${block.type}' block has no equivalent in a chat request`, `${param}.type`);
    return [];
  }

  private image(block: AnthropicBlock<'image'>, param: string): ContentPart[] {
    const { source } = block;
    let url: string | undefined;
    if (source.type === 'base64' && source.media_type && source.data) url = `data:${source.media_type};base64,${source.data}`;
    else if (source.type === 'url' && source.url) url = source.url;
    if (url === undefined) {
      this.untranslatable(`an image source of type '${source.type}' cannot be translated (use base64 or url)`, `${param}.source`);
      return [];
    }
    const part: ContentPart = { type: 'image_url', image_url: { url } };
    const cache = cacheControl(block.cache_control);
    if (cache) part.cache_control = cache;
    return [part];
  }

  /** Plain-text documents become text (titled); PDFs and other files only an Anthropic backend reads. */
  private document(block: AnthropicBlock<'document'>, param: string): ContentPart[] {
    const { source } = block;
    let text: string | undefined;
    if (source.type === 'text' && source.data !== undefined) text = source.data;
    else if (source.type === 'content' && typeof source.content === 'string') text = source.content;
    else if (source.type === 'content' && Array.isArray(source.content)) {
      text = source.content.map((item) => (item.type === 'text' && typeof item.text === 'string' ? item.text : '')).join('\n');
    }
    if (text === undefined) {
      this.untranslatable(`a document of source type '${source.type}' (PDF or file) cannot be translated; send its text`, `${param}.source`);
      return [];
    }
    const titled = block.title ? `${block.title}\n\n${text}` : text;
    return [textPart({ text: titled, cache_control: block.cache_control })];
  }

  private toolResult(block: AnthropicBlock<'tool_result'>, param: string): { text: string; images: ContentPart[] } {
    const images: ContentPart[] = [];
    let text = '';
    if (typeof block.content === 'string') text = block.content;
    else {
      block.content?.forEach((item, k) => {
        const at = `${param}.content[${k}]`;
        if (item.type === 'text' && typeof item.text === 'string') {
          text += text.length > 0 ? `\n${item.text}` : item.text;
          return;
        }
        // Blocks inside a tool result are not checked by the request schema (it would have to recurse): check them here.
        const image = imageBlockSchema.safeParse(item);
        if (image.success) images.push(...this.image(image.data, at));
        else this.untranslatable(`a '${item.type}' block in a tool result has no equivalent in a chat request (text and images do)`, `${at}.type`);
      });
    }
    // Chat has no error flag on a tool message: the model reads it in the text instead.
    if (block.is_error) text = text.length > 0 ? `Error: ${text}` : 'Error';
    return { text, images };
  }

  /** An assistant turn: text and tool calls; thinking blocks are dropped (see toChatRequest). */
  private assistant(content: string | ContentBlock[], param: string, out: ChatMessage[]): void {
    if (typeof content === 'string') {
      out.push({ role: 'assistant', content });
      return;
    }
    let text: TextContentPart[] = [];
    const calls: ToolCall[] = [];
    content.forEach((block, j) => {
      if (isBlock(block, 'text')) text.push({ type: 'text', text: block.text });
      else if (isBlock(block, 'tool_use')) calls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: JSON.stringify(block.input) } });
      else if (!isBlock(block, 'thinking') && !isBlock(block, 'redacted_thinking')) {
        this.untranslatable(`a '${block.type}' block has no equivalent in a chat request`, `${param}[${j}].type`);
      }
    });
    text = text.filter((part) => part.text.length > 0);
    // A turn that held only thinking says nothing another model can use.
    if (text.length === 0 && calls.length === 0) return;
    out.push({
      role: 'assistant',
      content: text.length === 0 ? null : text.map((part) => part.text).join(''),
      ...(calls.length > 0 ? { tool_calls: calls } : {}),
    });
  }
}

function textPart(block: { text: string; cache_control?: unknown }): TextContentPart {
  const part: TextContentPart = { type: 'text', text: block.text };
  const cache = cacheControl(block.cache_control);
  if (cache) part.cache_control = cache;
  return part;
}

/** Anthropic's marker as the canonical request carries it (its two known fields). */
function cacheControl(marker: unknown): CacheControl | undefined {
  if (marker === null || typeof marker !== 'object') return undefined;
  const { ttl } = marker as { ttl?: CacheControl['ttl'] };
  return ttl ? { type: 'ephemeral', ttl } : { type: 'ephemeral' };
}

function toolChoice(choice: AnthropicToolChoice): ToolChoice {
  switch (choice.type) {
    case 'auto':
      return 'auto';
    case 'any':
      return 'required';
    case 'none':
      return 'none';
    case 'tool':
      return { type: 'function', function: { name: choice.name } };
  }
}
