/**
 * OpenAI Chat Completions / Embeddings, and Azure OpenAI (same bodies, different URL, auth
 * header and error envelope).
 */
import type { ChatCompletion, EmbeddingResponse, ToolCall } from '@llm-connector-hub/core';
import type { Dialect } from './dialect';
import { parsePrompt, type Directives } from './directives';
import { dimensionsOr, embedText, toBase64 } from './embedding-vectors';
import { azureErrorBody, openaiErrorBody } from './error-shapes';
import { sendAnswer } from './answer-writer';
import type { Exchange } from './exchange';
import { sendJson } from './http-io';
import { openaiCompletionId, openaiToolCallId, unixSeconds } from './ids';
import { admit, applyDirectives, sendError, type ModelContext } from './model-request';
import { contentPartsText, countWords, planReply, type Conversation, type DeclaredTool, type ReplyPlan } from './reply';
import { openaiAnswerSchema } from './structured-output';
import { framesOf, SSE_HEADERS, writeStream, type StreamFrame } from './stream-writer';

type Json = Record<string, unknown>;

const FINGERPRINT = 'fp_fake';
const DONE = 'data: [DONE]\n\n';
const STREAM_ERROR_FRAME = `data: ${JSON.stringify(
  openaiErrorBody(500, 'The server had an error while processing your request. Sorry about that!'),
)}\n\n`;
const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool', 'function']);

export const openaiDialect: Dialect = {
  name: 'openai',
  apiKey: (ex) => {
    const auth = ex.header('authorization');
    if (auth === undefined || auth.length < 8 || auth.slice(0, 7).toLowerCase() !== 'bearer ') return undefined;
    return auth.slice(7).trim() || undefined;
  },
  unauthorizedMessage: (key) =>
    key === undefined
      ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
      : `Incorrect API key provided: ${key}. You can find your API key at https://platform.openai.com/account/api-keys.`,
  errorBody: (status, message, code) => openaiErrorBody(status, message, code),
};

export const azureDialect: Dialect = {
  name: 'azure',
  apiKey: (ex) => ex.header('api-key') || undefined,
  precheck: (ex) =>
    ex.queryParam('api-version')
      ? undefined
      : 'Missing API version: the api-version query parameter (?api-version=) is required for all requests.',
  unauthorizedMessage: () =>
    'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  errorBody: azureErrorBody,
};

/** `POST /v1/chat/completions` and `POST /openai/deployments/{deployment}/chat/completions`. */
export async function chatCompletions(ex: Exchange, ctx: ModelContext, dialect: Dialect, deployment?: string): Promise<void> {
  const body = (await admit(ex, dialect, ctx)) as Json | undefined;
  if (body === undefined) return;
  const invalid = validateChat(body, dialect.name === 'openai');
  if (invalid !== undefined) return sendError(ex, dialect, 400, invalid);

  const conversation = conversationOf(body);
  const prompt = parsePrompt(conversation.userText);
  conversation.userText = prompt.text;
  if (!(await applyDirectives(ex, dialect, prompt.directives, ctx))) return;

  const plan = planReply(conversation, prompt.directives);
  const model = typeof body.model === 'string' ? body.model : (deployment ?? 'unknown');
  const id = openaiCompletionId();
  const created = unixSeconds();
  const toolCallIds = plan.toolCalls.map(() => openaiToolCallId());
  if (body.stream !== true) return sendAnswer(ex, completion(id, created, model, plan, toolCallIds), prompt.directives);
  const includeUsage = (body.stream_options as Json | undefined)?.include_usage === true;
  await writeStream(ex, chunkFrames(id, created, model, plan, toolCallIds, includeUsage), { headers: SSE_HEADERS, errorFrame: STREAM_ERROR_FRAME, directives: prompt.directives });
}

function validateChat(body: Json, modelRequired: boolean): string | undefined {
  if (modelRequired && (typeof body.model !== 'string' || body.model.length === 0)) {
    return 'you must provide a model parameter';
  }
  const messages = body.messages;
  if (!Array.isArray(messages)) return "Missing required parameter: 'messages'.";
  if (messages.length === 0) return "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.";
  for (let i = 0; i < messages.length; i++) {
    const role = (messages[i] as Json | null)?.role;
    if (typeof role !== 'string' || !ROLES.has(role)) {
      return `Invalid value: '${String(role)}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.`;
    }
  }
  return undefined;
}

/**
 * The final user turn is the trailing run of user and tool messages: OpenAI spreads over
 * several messages what Anthropic and Gemini carry in one user turn (tool results plus text).
 */
export function conversationOf(body: Json): Conversation {
  const messages = body.messages as Json[];
  let promptWords = 0;
  for (const message of messages) promptWords += countWords(contentPartsText(message.content));
  let i = messages.length - 1;
  while (i >= 0 && messages[i].role !== 'user' && messages[i].role !== 'tool') i--;
  const texts: string[] = [];
  const toolResults: string[] = [];
  for (; i >= 0 && messages[i].role !== 'assistant'; i--) {
    const message = messages[i];
    if (message.role === 'user') texts.unshift(contentPartsText(message.content));
    else if (message.role === 'tool') toolResults.unshift(contentPartsText(message.content));
  }
  return { userText: texts.join('\n'), toolResults, promptWords, tools: declaredTools(body.tools), answerSchema: openaiAnswerSchema(body) };
}

function declaredTools(tools: unknown): DeclaredTool[] {
  if (!Array.isArray(tools)) return [];
  const out: DeclaredTool[] = [];
  for (const tool of tools as Json[]) {
    const fn = tool?.function as Json | undefined;
    if (typeof fn?.name === 'string') out.push({ name: fn.name, schema: fn.parameters });
  }
  return out;
}

export function usage(plan: ReplyPlan) {
  return {
    prompt_tokens: plan.promptTokens,
    completion_tokens: plan.completionTokens,
    total_tokens: plan.promptTokens + plan.completionTokens,
  };
}

function completion(id: string, created: number, model: string, plan: ReplyPlan, toolCallIds: string[]): ChatCompletion {
  const toolCalls: ToolCall[] = plan.toolCalls.map((call, i) => ({
    id: toolCallIds[i],
    type: 'function',
    function: { name: call.name, arguments: call.argsJson },
  }));
  return {
    id,
    object: 'chat.completion',
    created,
    model,
    choices: [
      {
        index: 0,
        message:
          toolCalls.length > 0
            ? { role: 'assistant', content: null, tool_calls: toolCalls, refusal: null }
            : { role: 'assistant', content: plan.text, refusal: null },
        logprobs: null,
        finish_reason: toolCalls.length > 0 ? 'tool_calls' : 'stop',
      },
    ],
    usage: usage(plan),
    system_fingerprint: FINGERPRINT,
  };
}

/**
 * `chat.completion.chunk` frames. The envelope is a template around JSON.stringify'd deltas:
 * streaming is the benchmark's hot path and the envelope is identical in every chunk.
 */
function chunkFrames(
  id: string,
  created: number,
  model: string,
  plan: ReplyPlan,
  toolCallIds: string[],
  includeUsage: boolean,
): StreamFrame[] {
  const envelope = `"id":"${id}","object":"chat.completion.chunk","created":${created},"model":${JSON.stringify(model)},"system_fingerprint":"${FINGERPRINT}"`;
  const head = `data: {${envelope},"choices":[{"index":0,"delta":`;
  // With include_usage every chunk but the last carries `"usage": null`, as OpenAI sends them.
  const tail = includeUsage ? '}],"usage":null}\n\n' : '}]}\n\n';
  const unfinished = '},"logprobs":null,"finish_reason":null';
  const frame = (delta: string, content: boolean): StreamFrame => ({ data: `${head}${delta}${unfinished}${tail}`, content });

  const hasTools = plan.toolCalls.length > 0;
  const frames: StreamFrame[] = [frame(`{"role":"assistant","content":${hasTools ? 'null' : '""'}`, false)];
  for (const text of framesOf(plan.chunks, (piece) => frame(`{"content":${JSON.stringify(piece)}`, true))) frames.push(text);
  plan.toolCalls.forEach((call, index) => {
    // id, type and name only on a call's first delta; then argument fragments under its index.
    frames.push(
      frame(
        `{"tool_calls":[{"index":${index},"id":"${toolCallIds[index]}","type":"function","function":{"name":${JSON.stringify(call.name)},"arguments":""}}]`,
        false,
      ),
    );
    for (const piece of call.pieces) {
      frames.push(frame(`{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(piece)}}}]`, true));
    }
  });
  const finish = hasTools ? '"tool_calls"' : '"stop"';
  frames.push({ data: `${head}{},"logprobs":null,"finish_reason":${finish}${tail}`, content: false });
  if (includeUsage) {
    frames.push({ data: `data: {${envelope},"choices":[],"usage":${JSON.stringify(usage(plan))}}\n\n`, content: false });
  }
  frames.push({ data: DONE, content: false });
  return frames;
}

/** `POST /v1/embeddings` and `POST /openai/deployments/{deployment}/embeddings`. */
export async function embeddings(ex: Exchange, ctx: ModelContext, dialect: Dialect, deployment?: string): Promise<void> {
  const body = (await admit(ex, dialect, ctx)) as Json | undefined;
  if (body === undefined) return;
  const items = embeddingInputs(body.input);
  if (typeof items === 'string') return sendError(ex, dialect, 400, items);

  let directives: Directives | undefined;
  for (const item of items) {
    const prompt = parsePrompt(item.text);
    item.text = prompt.text;
    directives ??= prompt.directives;
  }
  if (!(await applyDirectives(ex, dialect, directives, ctx))) return;

  const dimensions = dimensionsOr(body.dimensions);
  const base64 = body.encoding_format === 'base64';
  let tokens = 0;
  const response: EmbeddingResponse = {
    object: 'list',
    data: items.map((item, index) => {
      tokens += item.tokens;
      const vector = embedText(item.text, dimensions);
      return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector };
    }),
    model: typeof body.model === 'string' ? body.model : (deployment ?? 'unknown'),
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
  sendJson(ex, 200, response);
}

/** Normalizes `input` (string, strings, token array, token arrays); a string is an error message. */
function embeddingInputs(input: unknown): { text: string; tokens: number }[] | string {
  if (typeof input === 'string') return [{ text: input, tokens: countWords(input) }];
  if (!Array.isArray(input) || input.length === 0) return "'input' must be a non-empty string or array";
  if (typeof input[0] === 'number') {
    if (!input.every((t) => typeof t === 'number')) return "Invalid 'input': mixed token array";
    return [{ text: input.join(','), tokens: input.length }];
  }
  const items: { text: string; tokens: number }[] = [];
  for (const entry of input) {
    if (typeof entry === 'string') items.push({ text: entry, tokens: countWords(entry) });
    else if (Array.isArray(entry) && entry.every((t) => typeof t === 'number')) items.push({ text: entry.join(','), tokens: entry.length });
    else return "Invalid 'input': expected strings or arrays of token ids";
  }
  return items;
}
