/** Anthropic Messages API: `POST /v1/messages`, JSON and SSE. */
import { invalidThinkingBlock, thinkingBlock, thinkingEvents, thinkingRequested, type ThinkingBlock } from './anthropic-thinking';
import type { Dialect } from './dialect';
import { parsePrompt } from './directives';
import { anthropicErrorBody } from './error-shapes';
import { sendAnswer } from './answer-writer';
import type { Exchange } from './exchange';
import { anthropicMessageId, anthropicToolUseId } from './ids';
import { admit, applyDirectives, sendError, type ModelContext } from './model-request';
import { contentPartsText, countWords, planReply, type Conversation, type DeclaredTool, type ReplyPlan } from './reply';
import { anthropicForcedTool } from './structured-output';
import { framesOf, SSE_HEADERS, writeStream, type StreamFrame } from './stream-writer';

type Json = Record<string, unknown>;

const STREAM_ERROR_FRAME = sse('error', { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } });
const MESSAGE_STOP = sse('message_stop', { type: 'message_stop' });
const PING = sse('ping', { type: 'ping' });
/** The text block the `preamble` directive puts before tool_use blocks. */
const PREAMBLE = "I'll answer with the tool.";

export const anthropicDialect: Dialect = {
  name: 'anthropic',
  apiKey: (ex) => ex.header('x-api-key') || undefined,
  precheck: (ex) => (ex.header('anthropic-version') ? undefined : 'anthropic-version: header is required'),
  unauthorizedMessage: (key) => (key === undefined ? 'x-api-key header is required' : 'invalid x-api-key'),
  errorBody: anthropicErrorBody,
};

function sse(event: string, payload: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
}

/** `POST /v1/messages`. */
export async function messages(ex: Exchange, ctx: ModelContext): Promise<void> {
  const body = (await admit(ex, anthropicDialect, ctx)) as Json | undefined;
  if (body === undefined) return;
  const invalid = validate(body);
  if (invalid !== undefined) return sendError(ex, anthropicDialect, 400, invalid);

  const conversation = conversationOf(body);
  const prompt = parsePrompt(conversation.userText);
  conversation.userText = prompt.text;
  if (!(await applyDirectives(ex, anthropicDialect, prompt.directives, ctx))) return;

  const plan = planReply(conversation, prompt.directives);
  const model = body.model as string;
  const id = anthropicMessageId();
  const toolUseIds = plan.toolCalls.map(() => anthropicToolUseId());
  const preamble = prompt.directives?.preamble === true && plan.toolCalls.length > 0;
  const thinking = thinkingRequested(body) ? thinkingBlock(conversation.userText) : undefined;
  if (body.stream !== true) return sendAnswer(ex, message(id, model, plan, toolUseIds, preamble, thinking), prompt.directives);
  await writeStream(ex, streamFrames(id, model, plan, toolUseIds, preamble, thinking), { headers: SSE_HEADERS, errorFrame: STREAM_ERROR_FRAME, directives: prompt.directives });
}

/**
 * The checks the real API makes on a conversation's structure: they are what a gateway's
 * OpenAI -> Anthropic translation most often gets wrong (merged turns, orphaned tool results).
 */
export function validate(body: Json): string | undefined {
  if (typeof body.model !== 'string' || body.model.length === 0) return 'model: Field required';
  if (body.max_tokens === undefined) return 'max_tokens: Field required';
  if (!Number.isInteger(body.max_tokens) || (body.max_tokens as number) < 1) {
    return 'max_tokens: Input should be a valid integer greater than or equal to 1';
  }
  const list = body.messages;
  if (!Array.isArray(list)) return 'messages: Field required';
  if (list.length === 0) return 'messages: at least one message is required';
  let previousRole: unknown;
  let previousToolUses = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as Json | null;
    if (typeof entry !== 'object' || entry === null) return `messages.${i}: Input should be a valid dictionary`;
    const role = entry.role;
    if (role !== 'user' && role !== 'assistant') {
      return `messages.${i}.role: Input should be 'user' or 'assistant'`;
    }
    if (i === 0 && role !== 'user') return 'messages: first message must use the "user" role';
    if (role === previousRole) {
      return `messages: roles must alternate between "user" and "assistant", but found multiple "${role}" roles in a row`;
    }
    const content = entry.content;
    if (typeof content !== 'string' && !Array.isArray(content)) {
      return `messages.${i}.content: Input should be a valid string or list of content blocks`;
    }
    const blocks = Array.isArray(content) ? (content as Json[]) : [];
    const toolUses = new Set<string>();
    const answered = new Set<string>();
    for (let j = 0; j < blocks.length; j++) {
      const block = blocks[j];
      if (typeof block !== 'object' || block === null || typeof block.type !== 'string') {
        return `messages.${i}.content.${j}: Input should be a valid content block`;
      }
      const badThinking = role === 'assistant' ? invalidThinkingBlock(block, `messages.${i}.content.${j}`) : undefined;
      if (badThinking !== undefined) return badThinking;
      if (block.type === 'tool_use' && role === 'assistant') {
        if (typeof block.id !== 'string' || typeof block.name !== 'string') return `messages.${i}.content.${j}.id: Field required`;
        toolUses.add(block.id);
      } else if (block.type === 'tool_result') {
        const ref = block.tool_use_id;
        if (role !== 'user' || typeof ref !== 'string' || !previousToolUses.has(ref)) {
          return `messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${String(ref)}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`;
        }
        answered.add(ref);
      }
    }
    // The converse rule: tool_use blocks must be answered in the very next (user) message.
    if (role === 'user' && previousToolUses.size > 0) {
      const missing = [...previousToolUses].filter((id) => !answered.has(id));
      if (missing.length > 0) {
        return `messages.${i - 1}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`;
      }
    }
    previousToolUses = toolUses;
    previousRole = role;
  }
  return undefined;
}

function conversationOf(body: Json): Conversation {
  const list = body.messages as Json[];
  let promptWords = countWords(contentPartsText(body.system));
  let last: Json | undefined;
  for (const entry of list) {
    if (entry.role === 'user') last = entry;
    promptWords += countWords(contentPartsText(entry.content));
    if (Array.isArray(entry.content)) {
      for (const block of entry.content as Json[]) {
        if (block.type === 'tool_result') promptWords += countWords(contentPartsText(block.content));
      }
    }
  }
  const toolResults: string[] = [];
  if (last !== undefined && Array.isArray(last.content)) {
    for (const block of last.content as Json[]) if (block.type === 'tool_result') toolResults.push(contentPartsText(block.content));
  }
  const userText = last === undefined ? '' : contentPartsText(last.content);
  return { userText, toolResults, promptWords, tools: declaredTools(body.tools), forcedTool: anthropicForcedTool(body) };
}

function declaredTools(tools: unknown): DeclaredTool[] {
  if (!Array.isArray(tools)) return [];
  const out: DeclaredTool[] = [];
  // Server tools (web_search and the like) have no input_schema and are not ours to call.
  for (const tool of tools as Json[]) {
    if (typeof tool?.name === 'string' && tool.input_schema !== undefined) out.push({ name: tool.name, schema: tool.input_schema });
  }
  return out;
}

/** Usage as Anthropic reports it in a Message and in message_start, the cache-write split by TTL included. */
function usage(plan: ReplyPlan, outputTokens: number) {
  return {
    input_tokens: plan.promptTokens,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    output_tokens: outputTokens,
  };
}

function message(id: string, model: string, plan: ReplyPlan, toolUseIds: string[], preamble: boolean, thinking: ThinkingBlock | undefined) {
  const content: Json[] =
    plan.toolCalls.length > 0
      ? plan.toolCalls.map((call, i) => ({ type: 'tool_use', id: toolUseIds[i], name: call.name, input: call.args }))
      : [{ type: 'text', text: plan.text }];
  if (preamble) content.unshift({ type: 'text', text: PREAMBLE });
  if (thinking) content.unshift({ ...thinking });
  return {
    id,
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: plan.toolCalls.length > 0 ? 'tool_use' : 'end_turn',
    stop_sequence: null,
    usage: usage(plan, plan.completionTokens),
  };
}

function streamFrames(id: string, model: string, plan: ReplyPlan, toolUseIds: string[], preamble: boolean, thinking: ThinkingBlock | undefined): StreamFrame[] {
  const frames: StreamFrame[] = [];
  const push = (event: string, payload: unknown, content = false): void => {
    frames.push({ data: sse(event, payload), content });
  };
  // message_start reports a token or so of output, as the real API does; the final count is in message_delta.
  push('message_start', {
    type: 'message_start',
    message: { id, type: 'message', role: 'assistant', model, content: [], stop_reason: null, stop_sequence: null, usage: usage(plan, 1) },
  });
  // Blocks are numbered by their position in the message: a thinking block first moves the rest by one.
  const start = thinking ? 1 : 0;
  if (thinking) for (const [event, payload] of thinkingEvents(thinking, 0)) push(event, payload);
  if (plan.toolCalls.length === 0) {
    push('content_block_start', { type: 'content_block_start', index: start, content_block: { type: 'text', text: '' } });
    frames.push({ data: PING, content: false });
    const deltas = framesOf(plan.chunks, (text) => ({ data: sse('content_block_delta', { type: 'content_block_delta', index: start, delta: { type: 'text_delta', text } }), content: true }));
    for (const delta of deltas) frames.push(delta);
    push('content_block_stop', { type: 'content_block_stop', index: start });
  } else {
    if (preamble) {
      push('content_block_start', { type: 'content_block_start', index: start, content_block: { type: 'text', text: '' } });
      push('content_block_delta', { type: 'content_block_delta', index: start, delta: { type: 'text_delta', text: PREAMBLE } }, true);
      push('content_block_stop', { type: 'content_block_stop', index: start });
    }
    const first = start + (preamble ? 1 : 0);
    plan.toolCalls.forEach((call, i) => {
      const index = first + i;
      push('content_block_start', {
        type: 'content_block_start',
        index,
        content_block: { type: 'tool_use', id: toolUseIds[i], name: call.name, input: {} },
      });
      if (i === 0) frames.push({ data: PING, content: false });
      for (const partial_json of call.pieces) {
        push('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }, true);
      }
      push('content_block_stop', { type: 'content_block_stop', index });
    });
  }
  push('message_delta', {
    type: 'message_delta',
    delta: { stop_reason: plan.toolCalls.length > 0 ? 'tool_use' : 'end_turn', stop_sequence: null },
    usage: { input_tokens: plan.promptTokens, output_tokens: plan.completionTokens },
  });
  frames.push({ data: MESSAGE_STOP, content: false });
  return frames;
}
