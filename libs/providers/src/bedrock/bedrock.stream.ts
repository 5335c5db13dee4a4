import type { ChatCompletionChunk, ChatRequest, ChunkDelta, FinishReason } from '@llm-connector-hub/core';
import { completionId, HubErrors, unixSeconds } from '@llm-connector-hub/core';
import { bedrockStreamError } from './bedrock.errors';
import { bedrockFinishReason, bedrockUsage } from './bedrock.response';
import type { BedrockContentBlockDeltaEvent, BedrockContentBlockStartEvent, BedrockStreamEvent, BedrockUsage } from './bedrock.wire';

export interface BedrockStreamState {
  provider: string;
  id: string;
  model: string;
  created: number;
  /** Converse's contentBlockIndex of each tool block -> its ordinal among tool calls (OpenAI's `index`) and the input length so far. */
  tools: Map<number, { toolIndex: number; inputChars: number }>;
  toolCalls: number;
  /** messageStop arrived: the answer is complete (metadata, with the usage, follows it). */
  stopped: boolean;
  /** metadata arrived: the last event; later bytes are read past. */
  done: boolean;
}

export function createBedrockStreamState(provider: string, request: ChatRequest): BedrockStreamState {
  return { provider, id: completionId(), model: request.model, created: unixSeconds(), tools: new Map(), toolCalls: 0, stopped: false, done: false };
}

/**
 * One ConverseStream event -> canonical chunks. Like Anthropic, Converse streams content blocks
 * one after another (text, toolUse, reasoning), which become one OpenAI message whose tool calls
 * are told apart by `index`. Pure apart from `state`.
 */
export function bedrockStreamEvent(event: BedrockStreamEvent, state: BedrockStreamState): ChatCompletionChunk[] {
  if (event.messageType !== 'event') throw bedrockStreamError(state.provider, event);
  const body = event.body;
  if (body === null || typeof body !== 'object') throw HubErrors.upstreamBadResponse(state.provider, `the ${event.type || 'stream'} event is not a JSON object`);
  switch (event.type) {
    case 'messageStart':
      return [chunk(state, { role: 'assistant', content: '' })];
    case 'contentBlockStart':
      return blockStart(body as BedrockContentBlockStartEvent, state);
    case 'contentBlockDelta':
      return blockDelta(body as BedrockContentBlockDeltaEvent, state);
    case 'contentBlockStop':
      return blockStop((body as { contentBlockIndex: number }).contentBlockIndex, state);
    case 'messageStop':
      state.stopped = true;
      return [chunk(state, {}, bedrockFinishReason((body as { stopReason?: string }).stopReason, state.toolCalls > 0))];
    case 'metadata': {
      state.done = true;
      const usage = bedrockUsage((body as { usage?: BedrockUsage }).usage);
      return usage ? [{ ...base(state), choices: [], usage }] : [];
    }
    default:
      // Event types Converse may add: read past.
      return [];
  }
}

/** A stream that ends before messageStop was cut (network, proxy, upstream crash). */
export function finishBedrockStream(state: BedrockStreamState): ChatCompletionChunk[] {
  if (!state.stopped) throw HubErrors.streamInterrupted(state.provider, 'the upstream closed the stream before messageStop');
  return [];
}

function blockStart(event: BedrockContentBlockStartEvent, state: BedrockStreamState): ChatCompletionChunk[] {
  const toolUse = event.start?.toolUse;
  if (!toolUse) return [];
  const toolIndex = state.toolCalls++;
  state.tools.set(event.contentBlockIndex, { toolIndex, inputChars: 0 });
  return [chunk(state, { tool_calls: [{ index: toolIndex, id: toolUse.toolUseId, type: 'function', function: { name: toolUse.name, arguments: '' } }] })];
}

function blockDelta(event: BedrockContentBlockDeltaEvent, state: BedrockStreamState): ChatCompletionChunk[] {
  const delta = event.delta ?? {};
  if (typeof delta.text === 'string') return delta.text === '' ? [] : [chunk(state, { content: delta.text })];
  const input = delta.toolUse?.input;
  const tool = state.tools.get(event.contentBlockIndex);
  if (tool && typeof input === 'string' && input !== '') {
    tool.inputChars += input.length;
    return [chunk(state, { tool_calls: [{ index: tool.toolIndex, function: { arguments: input } }] })];
  }
  // reasoningContent, citations: nothing canonical to say.
  return [];
}

/** A tool without parameters gets no input fragments; '' is not JSON, '{}' is what it meant. */
function blockStop(index: number, state: BedrockStreamState): ChatCompletionChunk[] {
  const tool = state.tools.get(index);
  if (tool && tool.inputChars === 0) return [chunk(state, { tool_calls: [{ index: tool.toolIndex, function: { arguments: '{}' } }] })];
  return [];
}

function base(state: BedrockStreamState): Omit<ChatCompletionChunk, 'choices'> {
  return { id: state.id, object: 'chat.completion.chunk', created: state.created, model: state.model };
}

function chunk(state: BedrockStreamState, delta: ChunkDelta, finishReason: FinishReason | null = null): ChatCompletionChunk {
  return { ...base(state), choices: [{ index: 0, delta, finish_reason: finishReason }] };
}
