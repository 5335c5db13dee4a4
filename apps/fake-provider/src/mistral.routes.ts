/**
 * Mistral's native API (`/v1/chat/completions`, `/v1/embeddings`), served under `/mistral` so it
 * does not collide with OpenAI's paths: a gateway's Mistral provider points at `<fake>/mistral/v1`.
 * The bodies are OpenAI's but for what a translation must get right, which is checked here:
 * no OpenAI-only fields, `any` for a required tool call, tool call ids of 9 letters or digits;
 * and the usage rides on the last chunk of a stream.
 */
import { parsePrompt } from './directives';
import type { Dialect } from './dialect';
import { sendAnswer } from './answer-writer';
import type { Exchange } from './exchange';
import { mistralToolCallId, openaiCompletionId, requestId, unixSeconds } from './ids';
import { admit, applyDirectives, sendError, type ModelContext } from './model-request';
import { conversationOf, openaiDialect, usage } from './openai.routes';
import { planReply, type ReplyPlan } from './reply';
import { framesOf, SSE_HEADERS, writeStream, type StreamFrame } from './stream-writer';

type Json = Record<string, unknown>;

export const MISTRAL_PREFIX = '/mistral/v1';

/** Fields of OpenAI's request that Mistral refuses (422, extra inputs are not permitted). */
const OPENAI_ONLY = ['stream_options', 'seed', 'max_completion_tokens', 'logit_bias', 'logprobs', 'top_logprobs', 'user', 'metadata', 'store', 'reasoning_effort'];
const TOOL_CALL_ID = /^[A-Za-z0-9]{9}$/;
const DONE = 'data: [DONE]\n\n';
const STREAM_ERROR_FRAME = `data: ${JSON.stringify({ object: 'error', message: 'Internal server error', type: 'internal_server_error', param: null, code: '1000' })}\n\n`;

export const mistralDialect: Dialect = {
  name: 'mistral',
  apiKey: (ex) => openaiDialect.apiKey(ex),
  unauthorizedMessage: () => 'Unauthorized',
  errorBody: (status, message) => (status === 401 ? { message, request_id: requestId() } : { object: 'error', message, type: status >= 500 ? 'internal_server_error' : 'invalid_request_error', param: null, code: null }),
};

/** `POST /mistral/v1/chat/completions`. */
export async function mistralChat(ex: Exchange, ctx: ModelContext): Promise<void> {
  const body = (await admit(ex, mistralDialect, ctx)) as Json | undefined;
  if (body === undefined) return;
  const invalid = validate(body);
  if (invalid !== undefined) return sendError(ex, mistralDialect, invalid.status, invalid.message);

  const conversation = conversationOf(body);
  const prompt = parsePrompt(conversation.userText);
  conversation.userText = prompt.text;
  if (!(await applyDirectives(ex, mistralDialect, prompt.directives, ctx))) return;

  const plan = planReply(conversation, prompt.directives);
  const id = openaiCompletionId().replace('chatcmpl-', '');
  const model = String(body.model);
  const toolCallIds = plan.toolCalls.map(() => mistralToolCallId());
  if (body.stream !== true) return sendAnswer(ex, answer(id, model, plan, toolCallIds), prompt.directives);
  await writeStream(ex, streamFrames(id, model, plan, toolCallIds), { headers: SSE_HEADERS, errorFrame: STREAM_ERROR_FRAME, directives: prompt.directives });
}

function validate(body: Json): { status: number; message: string } | undefined {
  if (typeof body.model !== 'string' || body.model === '') return { status: 422, message: 'body.model: Field required' };
  const extra = OPENAI_ONLY.find((field) => field in body);
  if (extra !== undefined) return { status: 422, message: `body.${extra}: Extra inputs are not permitted` };
  if (body.tool_choice === 'required') return { status: 422, message: "body.tool_choice: Input should be 'auto', 'none', 'any' or 'required'" };
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) return { status: 422, message: 'body.messages: Field required' };
  for (const message of messages as Json[]) {
    const ids = [...((message.tool_calls as Json[] | undefined) ?? []).map((call) => call.id), ...(message.role === 'tool' ? [message.tool_call_id] : [])];
    const bad = ids.find((id) => typeof id !== 'string' || !TOOL_CALL_ID.test(id));
    if (bad !== undefined) return { status: 400, message: `Tool call id was ${JSON.stringify(bad)} but must be a-z, A-Z, 0-9, with a length of 9.` };
  }
  return undefined;
}

function toolCalls(plan: ReplyPlan, ids: string[]) {
  return plan.toolCalls.map((call, index) => ({ id: ids[index], function: { name: call.name, arguments: call.argsJson }, index }));
}

function answer(id: string, model: string, plan: ReplyPlan, ids: string[]) {
  const calls = toolCalls(plan, ids);
  return {
    id,
    object: 'chat.completion',
    model,
    created: unixSeconds(),
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: calls.length > 0 ? '' : plan.text, tool_calls: calls.length > 0 ? calls : null, prefix: false },
        finish_reason: calls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: usage(plan),
  };
}

/** Mistral streams tool calls whole, and puts the usage on the chunk with the finish_reason. */
function streamFrames(id: string, model: string, plan: ReplyPlan, ids: string[]): StreamFrame[] {
  const created = unixSeconds();
  const frame = (delta: Json, content: boolean, finish: string | null = null, extra: Json = {}): StreamFrame => ({
    data: `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`,
    content,
  });
  const frames: StreamFrame[] = [frame({ role: 'assistant', content: '' }, false)];
  for (const text of framesOf(plan.chunks, (piece) => frame({ content: piece }, true))) frames.push(text);
  const calls = toolCalls(plan, ids);
  if (calls.length > 0) frames.push(frame({ tool_calls: calls }, true));
  frames.push(frame({ content: '' }, false, calls.length > 0 ? 'tool_calls' : 'stop', { usage: usage(plan) }));
  frames.push({ data: DONE, content: false });
  return frames;
}
