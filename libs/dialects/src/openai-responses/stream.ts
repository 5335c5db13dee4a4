import type { ChatCompletionChunk, FinishReason, Usage } from '@llm-connector-hub/core';
import {
  finishStatus,
  outputItemId,
  outputText,
  responseObject,
  responseUsage,
  type FunctionCallOutputItem,
  type MessageOutputItem,
  type OutputItem,
  type ResponseHead,
  type ResponseObject,
} from './response';

/** One event of a Responses stream: its `type` names the SSE event too. */
export interface ResponseStreamEvent {
  type: string;
  sequence_number: number;
  [field: string]: unknown;
}

/** The item being written: the message (its text so far) or a tool call, by its chat tool-call index. */
type OpenItem = { kind: 'message'; index: number; item: MessageOutputItem; text: string } | { kind: 'call'; index: number; item: FunctionCallOutputItem; toolIndex: number };

/**
 * Canonical chat chunks → the Responses API's typed events, in OpenAI's order (docs/api.md,
 * "OpenAI Responses API"): `response.created` and `response.in_progress` first; an item is
 * opened (`output_item.added`, and `content_part.added` for a message) before its deltas, and
 * closed (`*.done`, `output_item.done`) before the next one opens; `response.completed` (or
 * `response.incomplete`) last, with every item in `output`. One counter stamps `sequence_number`
 * 0, 1, 2... on every event, which openai-node's stream resumption relies on.
 *
 * Chat streams a model's tool calls one after another (index 0's arguments, then index 1's); a
 * late fragment for a call already closed still lands in that call's final `arguments` (in
 * `response.completed`), since its `done` events cannot be taken back.
 */
export class ResponsesStreamTranslator {
  private sequence = 0;
  private readonly output: OutputItem[] = [];
  private open: OpenItem | undefined;
  private readonly calls = new Map<number, FunctionCallOutputItem>();
  private finish: FinishReason | null = null;
  private usage: Usage | undefined;
  private started = false;

  constructor(private readonly head: ResponseHead) {}

  /** The events one chunk adds (the two lifecycle events come with the first). */
  chunk(chunk: ChatCompletionChunk): ResponseStreamEvent[] {
    const events = this.start();
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) return events;
    const { content, tool_calls: toolCalls } = choice.delta;
    if (content) events.push(...this.text(content));
    for (const delta of toolCalls ?? []) {
      const known = this.calls.get(delta.index);
      if (!known) events.push(...this.openCall(delta.index, delta.id, delta.function?.name));
      const fragment = delta.function?.arguments;
      if (!fragment) continue;
      const call = this.calls.get(delta.index)!;
      call.arguments += fragment;
      if (this.open?.kind === 'call' && this.open.toolIndex === delta.index) {
        events.push(this.event('response.function_call_arguments.delta', { item_id: call.id, output_index: this.open.index, delta: fragment }));
      }
    }
    if (choice.finish_reason) this.finish = choice.finish_reason;
    return events;
  }

  /** The response as it ends: every item closed, then the terminal event. */
  end(): { events: ResponseStreamEvent[]; response: ResponseObject } {
    const events = this.start();
    // An answer with no item at all still says so with an (empty) message, as the JSON answer does.
    if (this.output.length === 0) events.push(...this.openMessage());
    events.push(...this.closeOpen());
    const { status, incomplete_details } = finishStatus(this.finish);
    const response = responseObject(this.head, status, this.output, { usage: responseUsage(this.usage), incomplete_details });
    events.push(this.event(status === 'incomplete' ? 'response.incomplete' : 'response.completed', { response }));
    return { events, response };
  }

  /** A failure after the stream began: `response.failed`, with what was written so far. */
  fail(error: { code: string; message: string }): ResponseStreamEvent[] {
    const events = this.start();
    const response = responseObject(this.head, 'failed', this.output, { error, usage: this.usage ? responseUsage(this.usage) : null });
    events.push(this.event('response.failed', { response }));
    return events;
  }

  private start(): ResponseStreamEvent[] {
    if (this.started) return [];
    this.started = true;
    const response = responseObject(this.head, 'in_progress', []);
    return [this.event('response.created', { response }), this.event('response.in_progress', { response })];
  }

  private text(delta: string): ResponseStreamEvent[] {
    const events = this.open?.kind === 'message' ? [] : [...this.closeOpen(), ...this.openMessage()];
    const open = this.open as Extract<OpenItem, { kind: 'message' }>;
    open.text += delta;
    events.push(this.event('response.output_text.delta', { item_id: open.item.id, output_index: open.index, content_index: 0, delta, logprobs: [] }));
    return events;
  }

  private openMessage(): ResponseStreamEvent[] {
    const index = this.output.length;
    const item: MessageOutputItem = { type: 'message', id: outputItemId(this.head.id, 'msg', index), status: 'in_progress', role: 'assistant', content: [] };
    this.output.push(item);
    this.open = { kind: 'message', index, item, text: '' };
    return [
      this.event('response.output_item.added', { output_index: index, item: { ...item, content: [] } }),
      this.event('response.content_part.added', { item_id: item.id, output_index: index, content_index: 0, part: outputText('') }),
    ];
  }

  private openCall(toolIndex: number, callId: string | undefined, name: string | undefined): ResponseStreamEvent[] {
    const events = this.closeOpen();
    const index = this.output.length;
    const item: FunctionCallOutputItem = {
      type: 'function_call',
      id: outputItemId(this.head.id, 'fc', index),
      call_id: callId ?? `call_${this.head.id.slice('resp_'.length)}_${index}`,
      name: name ?? '',
      arguments: '',
      status: 'in_progress',
    };
    this.output.push(item);
    this.calls.set(toolIndex, item);
    this.open = { kind: 'call', index, item, toolIndex };
    events.push(this.event('response.output_item.added', { output_index: index, item: { ...item } }));
    return events;
  }

  private closeOpen(): ResponseStreamEvent[] {
    const open = this.open;
    if (!open) return [];
    this.open = undefined;
    const status = this.finish === 'length' || this.finish === 'content_filter' ? 'incomplete' : 'completed';
    if (open.kind === 'message') {
      const part = outputText(open.text);
      open.item.content = [part];
      open.item.status = status;
      const at = { item_id: open.item.id, output_index: open.index, content_index: 0 };
      return [
        this.event('response.output_text.done', { ...at, text: open.text, logprobs: [] }),
        this.event('response.content_part.done', { ...at, part }),
        this.event('response.output_item.done', { output_index: open.index, item: { ...open.item, content: [part] } }),
      ];
    }
    open.item.status = status;
    return [
      this.event('response.function_call_arguments.done', { item_id: open.item.id, output_index: open.index, name: open.item.name, arguments: open.item.arguments }),
      this.event('response.output_item.done', { output_index: open.index, item: { ...open.item } }),
    ];
  }

  private event(type: string, fields: Record<string, unknown>): ResponseStreamEvent {
    return { type, sequence_number: this.sequence++, ...fields };
  }
}
