import { HubErrors, sseFrame, toolCallId, type ChatCompletionChunk, type FinishReason, type ToolCallDelta, type Usage } from '@llm-connector-hub/core';
import { anthropicUsage, messageId, stopReason, type AnthropicMessage, type AnthropicUsage, type StopReason } from './message';
import type { AnthropicErrorBody } from './errors';

export type StreamContentBlock = { type: 'text'; text: '' } | { type: 'tool_use'; id: string; name: string; input: Record<string, never> };
export type StreamDelta = { type: 'text_delta'; text: string } | { type: 'input_json_delta'; partial_json: string };

/** The events of Anthropic's Messages stream, as it sends them. */
export type AnthropicStreamEvent =
  | { type: 'message_start'; message: AnthropicMessage }
  | { type: 'content_block_start'; index: number; content_block: StreamContentBlock }
  | { type: 'ping' }
  | { type: 'content_block_delta'; index: number; delta: StreamDelta }
  | { type: 'content_block_stop'; index: number }
  | { type: 'message_delta'; delta: { stop_reason: StopReason; stop_sequence: null }; usage: AnthropicUsage }
  | { type: 'message_stop' }
  | AnthropicErrorBody;

/**
 * One event as Anthropic frames it: a named event (the SDK dispatches on the `event:` line and
 * skips data without one). OpenAI's Responses API frames its typed events the same way.
 */
export function sseEvent<Event extends { readonly type: string }>(event: Event): string {
  return sseFrame({ event: event.type, data: JSON.stringify(event) });
}

type OpenBlock = { kind: 'text'; index: number } | { kind: 'tool'; index: number; chatIndex: number };

/**
 * Canonical chunks → Anthropic's stream events, one chunk at a time (nothing buffered but the
 * stop reason). Anthropic's rules, which its SDK and Claude Code enforce: one message_start,
 * first; blocks numbered by their position in the content; one block open at a time, its deltas of
 * its own type; message_delta (with the whole message's usage, which Chat sends after the finish
 * reason) only at the end, followed only by message_stop.
 */
export class AnthropicStreamEncoder {
  private started = false;
  private pinged = false;
  private blocks = 0;
  private open: OpenBlock | undefined;
  /** Chat's tool-call indexes whose blocks are already closed. */
  private readonly closedTools = new Set<number>();
  private finish: FinishReason | null = null;
  private usage: Usage | null = null;

  constructor(
    /** The model name the client asked for. */
    private readonly model: string,
    /** The provider serving the stream, named when its chunks cannot be encoded. */
    private readonly provider: string,
    private readonly id: string = messageId(),
  ) {}

  /** The events one chunk makes; throws a HubError when the chunks break Anthropic's order (the writer ends the stream with an error event). */
  push(chunk: ChatCompletionChunk): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    this.ensureStarted(events);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return events;
    const { content, tool_calls: toolCalls } = choice.delta;
    if (content) {
      if (this.open?.kind !== 'text') this.startBlock(events, { kind: 'text', index: this.blocks }, { type: 'text', text: '' });
      events.push({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'text_delta', text: content } });
    }
    for (const call of toolCalls ?? []) this.toolDelta(events, call);
    if (choice.finish_reason) {
      this.closeBlock(events);
      this.finish = choice.finish_reason;
    }
    return events;
  }

  /** The closing events of a stream that ended cleanly. */
  end(): AnthropicStreamEvent[] {
    const events: AnthropicStreamEvent[] = [];
    this.ensureStarted(events);
    this.closeBlock(events);
    events.push({ type: 'message_delta', delta: { stop_reason: stopReason(this.finish), stop_sequence: null }, usage: anthropicUsage(this.usage) });
    events.push({ type: 'message_stop' });
    return events;
  }

  private ensureStarted(events: AnthropicStreamEvent[]): void {
    if (this.started) return;
    this.started = true;
    // Input usage is known only at the end (Chat's usage chunk): zeros now, the totals in message_delta (the SDK overwrites).
    events.push({
      type: 'message_start',
      message: { id: this.id, type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: anthropicUsage(null) },
    });
  }

  private toolDelta(events: AnthropicStreamEvent[], call: ToolCallDelta): void {
    const open = this.open;
    if (open?.kind !== 'tool' || open.chatIndex !== call.index) {
      // Anthropic's blocks cannot interleave: arguments for a tool whose block was closed cannot be sent any more.
      if (this.closedTools.has(call.index)) {
        throw HubErrors.upstreamBadResponse(this.provider, `the arguments of tool call ${call.index} resumed after another block began`);
      }
      this.startBlock(
        events,
        { kind: 'tool', index: this.blocks, chatIndex: call.index },
        { type: 'tool_use', id: call.id ?? toolCallId(), name: call.function?.name ?? '', input: {} },
      );
    }
    const fragment = call.function?.arguments;
    if (fragment) events.push({ type: 'content_block_delta', index: this.open!.index, delta: { type: 'input_json_delta', partial_json: fragment } });
  }

  private startBlock(events: AnthropicStreamEvent[], block: OpenBlock, contentBlock: StreamContentBlock): void {
    this.closeBlock(events);
    this.open = block;
    this.blocks += 1;
    events.push({ type: 'content_block_start', index: block.index, content_block: contentBlock });
    if (!this.pinged) {
      // Where Anthropic sends its ping.
      this.pinged = true;
      events.push({ type: 'ping' });
    }
  }

  private closeBlock(events: AnthropicStreamEvent[]): void {
    if (!this.open) return;
    if (this.open.kind === 'tool') this.closedTools.add(this.open.chatIndex);
    events.push({ type: 'content_block_stop', index: this.open.index });
    this.open = undefined;
  }
}
