/**
 * Gemini API (v1beta): `models/{model}:generateContent`, `:streamGenerateContent` (SSE with
 * `?alt=sse`, a JSON array without it), `:batchEmbedContents` and `:embedContent`.
 */
import type { Dialect } from './dialect';
import { parsePrompt, type Directives } from './directives';
import { dimensionsOr, embedText } from './embedding-vectors';
import { geminiErrorBody } from './error-shapes';
import { sendAnswer } from './answer-writer';
import type { Exchange } from './exchange';
import { sendJson } from './http-io';
import { geminiResponseId } from './ids';
import { admit, applyDirectives, sendError, type ModelContext } from './model-request';
import { geminiAnswerSchema } from './structured-output';
import { countWords, planReply, type Conversation, type DeclaredTool, type ReplyPlan } from './reply';
import { framesOf, writeStream, type StreamFrame, type StreamOptions } from './stream-writer';

type Json = Record<string, unknown>;

const STREAM_ERROR = geminiErrorBody(503, 'The model is overloaded. Please try again later.');
// Google ends SSE events with CRLF pairs; a gateway whose parser only splits on "\n\n" must fail here, not in production.
const SSE_END = '\r\n\r\n';
/** Between the elements of a non-SSE stream (one JSON array, written element by element). */
const ARRAY_SEPARATOR = ',\r\n';
const SSE_HEADERS = { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' };
const ARRAY_HEADERS = { 'content-type': 'application/json; charset=UTF-8' };

export const geminiDialect: Dialect = {
  name: 'gemini',
  apiKey: (ex) => ex.header('x-goog-api-key') || ex.queryParam('key') || undefined,
  unauthorizedMessage: (key) =>
    key === undefined
      ? "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API."
      : 'API key not valid. Please pass a valid API key.',
  errorBody: geminiErrorBody,
};

/** `:generateContent` and `:streamGenerateContent`. */
export async function generateContent(ex: Exchange, ctx: ModelContext, model: string, stream: boolean): Promise<void> {
  const body = (await admit(ex, geminiDialect, ctx)) as Json | undefined;
  if (body === undefined) return;
  const invalid = validate(body);
  if (invalid !== undefined) return sendError(ex, geminiDialect, 400, invalid);

  const conversation = conversationOf(body);
  const prompt = parsePrompt(conversation.userText);
  conversation.userText = prompt.text;
  if (!(await applyDirectives(ex, geminiDialect, prompt.directives, ctx))) return;

  const plan = planReply(conversation, prompt.directives);
  const responseId = geminiResponseId();
  if (!stream) return sendAnswer(ex, response(plan, plan.toolCalls.length > 0 ? toolParts(plan) : [{ text: plan.text }], true, model, responseId), prompt.directives);
  const sse = ex.queryParam('alt') === 'sse';
  await writeStream(ex, streamFrames(plan, model, responseId, sse), streamOptions(prompt.directives, sse));
}

function streamOptions(directives: Directives | undefined, sse: boolean): StreamOptions {
  return {
    headers: sse ? SSE_HEADERS : ARRAY_HEADERS,
    errorFrame: sse ? `data: ${JSON.stringify(STREAM_ERROR)}${SSE_END}` : `,\r\n${JSON.stringify(STREAM_ERROR)}]`,
    directives,
  };
}

function validate(body: Json): string | undefined {
  const contents = body.contents;
  if (!Array.isArray(contents) || contents.length === 0) return '* GenerateContentRequest.contents: contents is not specified\n';
  for (let i = 0; i < contents.length; i++) {
    const content = contents[i] as Json | null;
    if (typeof content !== 'object' || content === null) return `* GenerateContentRequest.contents[${i}]: must be an object\n`;
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') {
      return 'Please use a valid role: user, model.';
    }
    if (!Array.isArray(content.parts) || content.parts.length === 0) {
      return `* GenerateContentRequest.contents[${i}].parts: contents.parts must not be empty.\n`;
    }
  }
  return undefined;
}

function partsText(parts: unknown): string {
  if (!Array.isArray(parts)) return '';
  let text = '';
  for (const part of parts as Json[]) {
    if (typeof part?.text === 'string') text += text.length > 0 ? `\n${part.text}` : part.text;
  }
  return text;
}

/**
 * A function response's text: the single string field gateways usually wrap a tool's output in
 * (`content`, `result`, `output`), else the whole response as JSON.
 */
function functionResponseText(response: unknown): string {
  if (typeof response === 'string') return response;
  if (typeof response !== 'object' || response === null) return JSON.stringify(response ?? null);
  const fields = response as Json;
  for (const key of ['content', 'result', 'output']) if (typeof fields[key] === 'string') return fields[key];
  return JSON.stringify(response);
}

/** The final user turn is the trailing run of user contents (a role-less content is a user one). */
function conversationOf(body: Json): Conversation {
  const contents = body.contents as Json[];
  let promptWords = countWords(partsText((body.systemInstruction as Json | undefined)?.parts));
  for (const content of contents) {
    promptWords += countWords(partsText(content.parts));
    for (const part of content.parts as Json[]) {
      const fr = part?.functionResponse as Json | undefined;
      if (fr !== undefined) promptWords += countWords(functionResponseText(fr.response));
    }
  }
  // A trailing model content is a prefill: the prompt is still the last run of user contents.
  let last = contents.length - 1;
  while (last > 0 && contents[last].role === 'model') last--;
  let start = last;
  while (start > 0 && contents[start - 1].role !== 'model') start--;
  const texts: string[] = [];
  const toolResults: string[] = [];
  for (let i = start; i <= last; i++) {
    const text = partsText(contents[i].parts);
    if (text.length > 0) texts.push(text);
    for (const part of contents[i].parts as Json[]) {
      const fr = part?.functionResponse as Json | undefined;
      if (fr !== undefined) toolResults.push(functionResponseText(fr.response));
    }
  }
  return { userText: texts.join('\n'), toolResults, promptWords, tools: declaredTools(body.tools), answerSchema: geminiAnswerSchema(body) };
}

function declaredTools(tools: unknown): DeclaredTool[] {
  if (!Array.isArray(tools)) return [];
  const out: DeclaredTool[] = [];
  for (const tool of tools as Json[]) {
    const declarations = tool?.functionDeclarations;
    if (!Array.isArray(declarations)) continue;
    for (const fn of declarations as Json[]) {
      if (typeof fn?.name === 'string') out.push({ name: fn.name, schema: fn.parameters ?? fn.parametersJsonSchema });
    }
  }
  return out;
}

function toolParts(plan: ReplyPlan): Json[] {
  return plan.toolCalls.map((call) => ({ functionCall: { name: call.name, args: call.args } }));
}

function response(plan: ReplyPlan, parts: Json[], last: boolean, model: string, responseId: string): Json {
  const candidate: Json = { content: { parts, role: 'model' } };
  if (last) candidate.finishReason = 'STOP';
  candidate.index = 0;
  const out: Json = { candidates: [candidate] };
  if (last) {
    out.usageMetadata = {
      promptTokenCount: plan.promptTokens,
      candidatesTokenCount: plan.completionTokens,
      totalTokenCount: plan.promptTokens + plan.completionTokens,
    };
  }
  out.modelVersion = model;
  out.responseId = responseId;
  return out;
}

/**
 * One event per text chunk or per whole functionCall (Gemini never splits a call's args),
 * then a closing event with finishReason and usageMetadata, so a cut stream lacks both.
 */
function streamFrames(plan: ReplyPlan, model: string, responseId: string, sse: boolean): StreamFrame[] {
  const frame = (payload: Json, content: boolean): StreamFrame => ({
    data: sse ? `data: ${JSON.stringify(payload)}${SSE_END}` : `${ARRAY_SEPARATOR}${JSON.stringify(payload)}`,
    content,
  });
  const frames =
    plan.toolCalls.length > 0
      ? toolParts(plan).map((part) => frame(response(plan, [part], false, model, responseId), true))
      : framesOf(plan.chunks, (text) => frame(response(plan, [{ text }], false, model, responseId), true));
  frames.push(frame(response(plan, [{ text: '' }], true, model, responseId), false));
  if (!sse) {
    // A JSON array: `[` instead of the first separator, `]` after the last element.
    frames[0] = { ...frames[0], data: `[${textOf(frames[0]).slice(ARRAY_SEPARATOR.length)}` };
    const last = frames.length - 1;
    frames[last] = { ...frames[last], data: `${textOf(frames[last])}]` };
  }
  return frames;
}

/** `:batchEmbedContents` (`{requests:[{content}]}`) and `:embedContent` (`{content}`). */
export async function embedContents(ex: Exchange, ctx: ModelContext, batch: boolean): Promise<void> {
  const body = (await admit(ex, geminiDialect, ctx)) as Json | undefined;
  if (body === undefined) return;
  const requests = batch ? body.requests : [body];
  if (!Array.isArray(requests) || requests.length === 0) {
    return sendError(ex, geminiDialect, 400, '* BatchEmbedContentsRequest.requests: requests is not specified\n');
  }
  const texts: string[] = [];
  let directives: Directives | undefined;
  for (let i = 0; i < requests.length; i++) {
    const parts = ((requests[i] as Json | null)?.content as Json | undefined)?.parts;
    if (!Array.isArray(parts) || parts.length === 0) {
      return sendError(ex, geminiDialect, 400, `* EmbedContentRequest.content: content is not specified\n`);
    }
    const prompt = parsePrompt(partsText(parts));
    directives ??= prompt.directives;
    texts.push(prompt.text);
  }
  if (!(await applyDirectives(ex, geminiDialect, directives, ctx))) return;
  const embeddings = texts.map((text, i) => ({
    values: embedText(text, dimensionsOr((requests[i] as Json).outputDimensionality)),
  }));
  sendJson(ex, 200, batch ? { embeddings } : { embedding: embeddings[0] });
}

/** This dialect's frames are text; a frame's data is typed as text or bytes for the binary dialects. */
function textOf(frame: StreamFrame): string {
  return typeof frame.data === 'string' ? frame.data : Buffer.from(frame.data).toString('utf8');
}
