import type { ChatCompletionChunk, ChatRequest, ChunkDelta, FinishReason, SseEvent } from '@llm-connector-hub/core';
import { completionId, HubErrors, unixSeconds } from '@llm-connector-hub/core';
import { anthropicStreamError } from './anthropic.errors';
import { anthropicFinishReason, anthropicUsage } from './anthropic.response';
import { anthropicJsonAnswerFromText, anthropicJsonMode, type AnthropicJsonMode } from './anthropic.response-format';
import type {
  AnthropicContentBlockDeltaEvent,
  AnthropicContentBlockStartEvent,
  AnthropicMessageDeltaEvent,
  AnthropicMessageStartEvent,
  AnthropicUsage,
} from './anthropic.wire';

/** What one Anthropic content block (keyed by its `index`) turned into on the canonical side. */
type BlockState =
  | { kind: 'text' }
  /** Text under response_format: held back, since only the answer tool's input may be content. */
  | { kind: 'held' }
  /** A client tool call; `toolIndex` is its ordinal among tool calls, which is what OpenAI's `index` means. */
  | { kind: 'tool'; toolIndex: number; argumentChars: number }
  /** The response_format answer tool: its input streams out as content (buffered when wrapped). */
  | { kind: 'json'; wrapped: boolean; text: string }
  /** thinking, redacted_thinking, server tools, future types: read past. */
  | { kind: 'ignored' };

export interface AnthropicStreamState {
  provider: string;
  id: string;
  model: string;
  created: number;
  json?: AnthropicJsonMode;
  /** Whether the response_format answer tool has started; text is then dropped for good. */
  answered: boolean;
  /**
   * Text held back under response_format until we know whether the answer tool comes: a preamble
   * beside it would break the client's JSON parse, but a message without it still needs its text.
   * Bounded by the request's max_tokens.
   */
  heldText: string;
  blocks: Map<number, BlockState>;
  toolCalls: number;
  usage: AnthropicUsage;
  finishReason: FinishReason | null;
  /** An event whose data was not JSON: an error unless it was the last thing before the cut. */
  unreadableEvent: boolean;
  done: boolean;
}

export function createAnthropicStreamState(provider: string, request: ChatRequest): AnthropicStreamState {
  return {
    provider,
    // Replaced by the message id at message_start; set here so no chunk can ever lack one.
    id: completionId(),
    model: request.model,
    created: unixSeconds(),
    json: anthropicJsonMode(request),
    answered: false,
    heldText: '',
    blocks: new Map(),
    toolCalls: 0,
    usage: {},
    finishReason: null,
    unreadableEvent: false,
    done: false,
  };
}

/**
 * One Anthropic stream event -> canonical chunks. Anthropic streams content blocks (text,
 * tool_use, thinking ...) one after another; OpenAI streams one message whose tool calls are
 * told apart by `index`. Pure apart from `state`.
 */
export function anthropicStreamEvent(event: SseEvent, state: AnthropicStreamState): ChatCompletionChunk[] {
  if (state.unreadableEvent) throw HubErrors.upstreamBadResponse(state.provider, 'a stream event is not valid JSON');
  let data: { type?: unknown };
  try {
    data = JSON.parse(event.data) as { type?: unknown };
  } catch {
    // The SSE parser hands over the half event left when a connection drops mid-event; that is
    // a cut stream (reported by finishAnthropicStream), so judge it only if more events follow.
    state.unreadableEvent = true;
    return [];
  }
  if (data === null || typeof data !== 'object') {
    throw HubErrors.upstreamBadResponse(state.provider, 'a stream event is not a JSON object');
  }
  // The data repeats the SSE event name as `type`; either is enough.
  const type = typeof data.type === 'string' ? data.type : event.event;
  switch (type) {
    case 'message_start':
      return messageStart(data as AnthropicMessageStartEvent, state);
    case 'content_block_start':
      return blockStart(data as AnthropicContentBlockStartEvent, state);
    case 'content_block_delta':
      return blockDelta(data as AnthropicContentBlockDeltaEvent, state);
    case 'content_block_stop':
      return blockStop((data as { index: number }).index, state);
    case 'message_delta':
      return messageDelta(data as AnthropicMessageDeltaEvent, state);
    case 'message_stop':
      return messageStop(state);
    case 'error':
      throw anthropicStreamError(state.provider, data);
    default:
      // ping, and event types Anthropic may add (its versioning policy asks clients to skip them).
      return [];
  }
}

/** A stream that ends without message_stop was cut (network, proxy, upstream crash). */
export function finishAnthropicStream(state: AnthropicStreamState): ChatCompletionChunk[] {
  if (!state.done) {
    throw HubErrors.streamInterrupted(state.provider, 'the upstream closed the stream before message_stop');
  }
  return [];
}

function messageStart(event: AnthropicMessageStartEvent, state: AnthropicStreamState): ChatCompletionChunk[] {
  const message = event.message ?? ({} as AnthropicMessageStartEvent['message']);
  if (typeof message.id === 'string') state.id = message.id;
  if (typeof message.model === 'string') state.model = message.model;
  if (message.usage) state.usage = { ...message.usage };
  return [chunk(state, { role: 'assistant', content: '' })];
}

function blockStart(event: AnthropicContentBlockStartEvent, state: AnthropicStreamState): ChatCompletionChunk[] {
  const block = event.content_block ?? { type: '' };
  if (block.type === 'text') {
    state.blocks.set(event.index, { kind: state.json ? 'held' : 'text' });
    const text = (block as { text?: unknown }).text;
    return typeof text === 'string' && text !== '' ? textChunks(state, text) : [];
  }
  if (block.type === 'tool_use') {
    const { id, name } = block as { id: string; name: string };
    if (state.json && name === state.json.tool.name) {
      state.blocks.set(event.index, { kind: 'json', wrapped: state.json.wrapped, text: '' });
      state.answered = true;
      state.heldText = '';
      return [];
    }
    const toolIndex = state.toolCalls++;
    state.blocks.set(event.index, { kind: 'tool', toolIndex, argumentChars: 0 });
    return [chunk(state, { tool_calls: [{ index: toolIndex, id, type: 'function', function: { name, arguments: '' } }] })];
  }
  state.blocks.set(event.index, { kind: 'ignored' });
  return [];
}

function blockDelta(event: AnthropicContentBlockDeltaEvent, state: AnthropicStreamState): ChatCompletionChunk[] {
  const delta = event.delta ?? { type: '' };
  const block = state.blocks.get(event.index);
  if (delta.type === 'text_delta') {
    const text = (delta as { text?: unknown }).text;
    if (block?.kind === 'ignored' || typeof text !== 'string' || text === '') return [];
    return textChunks(state, text);
  }
  if (delta.type === 'input_json_delta') {
    const partial = (delta as { partial_json?: unknown }).partial_json;
    // Anthropic opens every tool input with an empty fragment; forwarding it would only add noise.
    if (typeof partial !== 'string' || partial === '') return [];
    if (block?.kind === 'tool') {
      block.argumentChars += partial.length;
      return [chunk(state, { tool_calls: [{ index: block.toolIndex, function: { arguments: partial } }] })];
    }
    if (block?.kind === 'json') {
      block.text += partial;
      return block.wrapped ? [] : [chunk(state, { content: partial })];
    }
    return [];
  }
  // thinking_delta, signature_delta, citations_delta: nothing canonical to say.
  return [];
}

/** Closes a tool input so the client's accumulated string always parses. */
function blockStop(index: number, state: AnthropicStreamState): ChatCompletionChunk[] {
  const block = state.blocks.get(index);
  if (block?.kind === 'tool' && block.argumentChars === 0) {
    // A tool without parameters gets no input fragments; '' is not JSON, '{}' is what it meant.
    return [chunk(state, { tool_calls: [{ index: block.toolIndex, function: { arguments: '{}' } }] })];
  }
  if (block?.kind === 'json' && (block.wrapped || block.text === '')) {
    return [chunk(state, { content: anthropicJsonAnswerFromText(block.text, block.wrapped) })];
  }
  return [];
}

function messageDelta(event: AnthropicMessageDeltaEvent, state: AnthropicStreamState): ChatCompletionChunk[] {
  // Counts here are cumulative for the message: they replace, never add to, message_start's.
  if (event.usage) {
    for (const [key, value] of Object.entries(event.usage)) {
      if (value != null) (state.usage as Record<string, unknown>)[key] = value;
    }
  }
  const stopReason = event.delta?.stop_reason;
  if (stopReason == null || state.finishReason !== null) return [];
  state.finishReason = anthropicFinishReason(stopReason, state.toolCalls > 0);
  return [...releaseHeldText(state), chunk(state, {}, state.finishReason)];
}

/** The end: a finish_reason if message_delta never gave one, then the usage-only chunk. */
function messageStop(state: AnthropicStreamState): ChatCompletionChunk[] {
  state.done = true;
  const chunks = releaseHeldText(state);
  if (state.finishReason === null) {
    state.finishReason = state.toolCalls > 0 ? 'tool_calls' : 'stop';
    chunks.push(chunk(state, {}, state.finishReason));
  }
  const usage = anthropicUsage(state.usage);
  if (usage) chunks.push({ ...base(state), choices: [], usage });
  return chunks;
}

/** Text of a block: held back under response_format (dropped once the answer tool has started). */
function textChunks(state: AnthropicStreamState, text: string): ChatCompletionChunk[] {
  if (!state.json) return [chunk(state, { content: text })];
  if (!state.answered) state.heldText += text;
  return [];
}

/** At the end of a response_format message: its held text, if the answer tool never came. */
function releaseHeldText(state: AnthropicStreamState): ChatCompletionChunk[] {
  const text = state.heldText;
  state.heldText = '';
  return text === '' ? [] : [chunk(state, { content: text })];
}

function base(state: AnthropicStreamState): Omit<ChatCompletionChunk, 'choices'> {
  return { id: state.id, object: 'chat.completion.chunk', created: state.created, model: state.model };
}

function chunk(state: AnthropicStreamState, delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
  return { ...base(state), choices: [{ index: 0, delta, finish_reason: finishReason }] };
}
