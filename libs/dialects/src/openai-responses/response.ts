import { randomBytes } from 'node:crypto';
import type { ChatCompletion, FinishReason, Usage } from '@llm-connector-hub/core';
import type { ResponsesRequest, ResponsesTool } from './request.schema';

/** The Response object of OpenAI's Responses API, as far as the gateway produces it. */
export interface OutputText {
  type: 'output_text';
  text: string;
  /** Required by the AI SDK's schema, and always empty here (no hosted search or file tools). */
  annotations: [];
  logprobs: [];
}
export interface OutputRefusal {
  type: 'refusal';
  refusal: string;
}
export interface MessageOutputItem {
  type: 'message';
  id: string;
  status: 'in_progress' | 'completed' | 'incomplete';
  role: 'assistant';
  content: Array<OutputText | OutputRefusal>;
}
export interface FunctionCallOutputItem {
  type: 'function_call';
  id: string;
  call_id: string;
  name: string;
  arguments: string;
  status: 'in_progress' | 'completed' | 'incomplete';
}
export type OutputItem = MessageOutputItem | FunctionCallOutputItem;

export interface ResponseUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = 'in_progress' | 'completed' | 'incomplete' | 'failed';

export interface ResponseObject {
  id: string;
  object: 'response';
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: 'max_output_tokens' | 'content_filter' } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: string | null;
  reasoning: { effort: string | null; summary: string | null };
  store: boolean;
  temperature: number | null;
  text: { format: NonNullable<NonNullable<ResponsesRequest['text']>['format']> };
  tool_choice: NonNullable<ResponsesRequest['tool_choice']>;
  tools: Array<ResponsesTool & { strict: boolean | null }>;
  top_p: number | null;
  truncation: 'auto' | 'disabled';
  usage: ResponseUsage | null;
  user: string | null;
  metadata: Record<string, string>;
}

/**
 * What a response says before its output is known: the request echoed, and the facts the
 * gateway decides (its id, whether it is stored). Shared by the JSON answer and every lifecycle
 * event of a stream, so they cannot disagree.
 */
export interface ResponseHead {
  id: string;
  createdAt: number;
  model: string;
  store: boolean;
  request: ResponsesRequest;
}

/**
 * A response id, `resp_` and 32 hex digits. Output items carry the same digits
 * (`msg_<hex>_<n>`, `fc_<hex>_<n>`), so an `item_reference` names the response that holds it.
 */
export function newResponseId(): string {
  return `resp_${randomBytes(16).toString('hex')}`;
}

export function outputItemId(responseId: string, kind: 'msg' | 'fc', index: number): string {
  return `${kind}_${responseId.slice('resp_'.length)}_${index}`;
}

const ITEM_ID = /^(?:msg|fc)_([0-9a-f]{32})_\d+$/;

/** The response that holds an output item the gateway made, from the item's id; undefined for any other id. */
export function responseIdOfItem(itemId: string): string | undefined {
  const match = ITEM_ID.exec(itemId);
  return match ? `resp_${match[1]}` : undefined;
}

export function responseObject(head: ResponseHead, status: ResponseStatus, output: OutputItem[], details: Partial<Pick<ResponseObject, 'usage' | 'error' | 'incomplete_details'>> = {}): ResponseObject {
  const { request } = head;
  return {
    id: head.id,
    object: 'response',
    created_at: head.createdAt,
    status,
    error: details.error ?? null,
    incomplete_details: details.incomplete_details ?? null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: head.model,
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: head.store,
    temperature: request.temperature ?? null,
    text: { format: request.text?.format ?? { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: (request.tools ?? []).map((tool) => ({ ...tool, strict: tool.strict ?? null })),
    top_p: request.top_p ?? null,
    truncation: request.truncation ?? 'disabled',
    usage: details.usage ?? null,
    user: request.user ?? null,
    metadata: request.metadata ?? {},
  };
}

export function responseUsage(usage: Usage | undefined | null): ResponseUsage {
  return {
    input_tokens: usage?.prompt_tokens ?? 0,
    input_tokens_details: { cached_tokens: usage?.prompt_tokens_details?.cached_tokens ?? 0 },
    output_tokens: usage?.completion_tokens ?? 0,
    output_tokens_details: { reasoning_tokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: usage?.total_tokens ?? (usage?.prompt_tokens ?? 0) + (usage?.completion_tokens ?? 0),
  };
}

/** How a chat finish reason ends a response: cut answers are `incomplete`, with the reason OpenAI gives. */
export function finishStatus(finish: FinishReason | null): Pick<ResponseObject, 'status' | 'incomplete_details'> {
  if (finish === 'length') return { status: 'incomplete', incomplete_details: { reason: 'max_output_tokens' } };
  if (finish === 'content_filter') return { status: 'incomplete', incomplete_details: { reason: 'content_filter' } };
  return { status: 'completed', incomplete_details: null };
}

export function outputText(text: string): OutputText {
  return { type: 'output_text', text, annotations: [], logprobs: [] };
}

/** A finished chat answer as a Response: the message (when it has text or nothing else) first, then one item per tool call. */
export function completionToResponse(head: ResponseHead, completion: ChatCompletion): ResponseObject {
  const choice = completion.choices[0];
  const message = choice?.message;
  const output: OutputItem[] = [];
  const calls = message?.tool_calls ?? [];
  const { status, incomplete_details } = finishStatus(choice?.finish_reason ?? null);
  const itemStatus = status === 'incomplete' ? 'incomplete' : 'completed';
  if (message?.refusal) {
    output.push({ type: 'message', id: outputItemId(head.id, 'msg', 0), status: itemStatus, role: 'assistant', content: [{ type: 'refusal', refusal: message.refusal }] });
  } else if (message?.content || calls.length === 0) {
    output.push({ type: 'message', id: outputItemId(head.id, 'msg', 0), status: itemStatus, role: 'assistant', content: [outputText(message?.content ?? '')] });
  }
  for (const call of calls) {
    output.push({
      type: 'function_call',
      id: outputItemId(head.id, 'fc', output.length),
      call_id: call.id,
      name: call.function.name,
      arguments: call.function.arguments,
      status: itemStatus,
    });
  }
  return responseObject(head, status, output, { usage: responseUsage(completion.usage), incomplete_details });
}
