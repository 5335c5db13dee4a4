import type { AssistantMessage, ChatRequest, ContentPart, ToolMessage } from '@llm-connector-hub/core';
import { HubErrors, contentText } from '@llm-connector-hub/core';
import { toolArgumentsObject } from '../shared';
import { googleModelId } from './google.model';
import { googleGenerationConfig, googleToolConfig, googleTools } from './google.request-config';
import type { GoogleContent, GoogleGenerateContentRequest, GooglePart, GoogleRole } from './google.wire';

/**
 * Gemini's documented escape hatch for function calls it did not sign itself
 * (https://ai.google.dev/gemini-api/docs/thought-signatures, FAQ). Gemini 3 answers 400
 * "Function call is missing a thought_signature" when a replayed model turn's first functionCall
 * has none, and the canonical format has no field to carry the real signature through the client.
 */
export const GOOGLE_THOUGHT_SIGNATURE_SENTINEL = 'skip_thought_signature_validator';

/** Canonical ChatRequest -> generateContent body (the same body streams; only the URL differs). */
export function toGoogleRequest(request: ChatRequest): GoogleGenerateContentRequest {
  const { contents, system } = toGoogleContents(request);
  const body: GoogleGenerateContentRequest = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system.map((text) => ({ text })) };
  const tools = googleTools(request);
  if (tools) {
    body.tools = tools;
    const toolConfig = googleToolConfig(request);
    if (toolConfig) body.toolConfig = toolConfig;
  }
  const generationConfig = googleGenerationConfig(request);
  if (generationConfig) body.generationConfig = generationConfig;
  return body;
}

interface Conversation {
  contents: GoogleContent[];
  system: string[];
}

function toGoogleContents(request: ChatRequest): Conversation {
  const contents: GoogleContent[] = [];
  const system: string[] = [];
  // tool_call_id -> function name, from assistant turns already seen: a functionResponse must
  // name its function, while an OpenAI tool message only carries the call id.
  const toolNames = new Map<string, string>();
  // Gemini wants alternating turns; OpenAI allows runs of the same role (parallel tool results
  // are one message each), so consecutive same-role messages become one turn.
  const push = (role: GoogleRole, parts: GooglePart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  request.messages.forEach((message, i) => {
    switch (message.role) {
      case 'system':
      case 'developer': {
        // Gemini has one system instruction, not positional system turns: all of them are hoisted.
        const text = contentText(message.content);
        if (text !== '') system.push(text);
        break;
      }
      case 'user':
        push('user', userParts(message.content, i));
        break;
      case 'assistant':
        push('model', assistantParts(message, i, toolNames));
        break;
      case 'tool':
        push('user', [functionResponsePart(message, i, toolNames)]);
        break;
      default:
        throw HubErrors.invalidRequest(`messages[${i}].role '${(message as { role: string }).role}' is not supported.`, `messages[${i}].role`);
    }
  });

  if (contents.length === 0) {
    throw HubErrors.invalidRequest('messages must contain at least one user, assistant or tool message.', 'messages');
  }
  if (needsSignatureSentinel(request.model)) signReplayedFunctionCalls(contents);
  return { contents, system };
}

function userParts(content: string | ContentPart[], i: number): GooglePart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const parts: GooglePart[] = [];
  content.forEach((part, j) => {
    if (part.type === 'text') {
      if (part.text !== '') parts.push({ text: part.text });
    } else if (part.type === 'image_url') {
      parts.push(imagePart(part.image_url.url, `messages[${i}].content[${j}].image_url.url`));
    }
  });
  return parts;
}

function assistantParts(message: AssistantMessage, i: number, toolNames: Map<string, string>): GooglePart[] {
  const parts: GooglePart[] = [];
  const text = contentText(message.content);
  if (text !== '') parts.push({ text });
  message.tool_calls?.forEach((call, j) => {
    toolNames.set(call.id, call.function.name);
    const param = `messages[${i}].tool_calls[${j}].function.arguments`;
    // No `id` on the wire: Gemini's request schema rejects it and pairs calls with responses by order and name.
    parts.push({ functionCall: { name: call.function.name, args: toolArgumentsObject(call.function.arguments, param) } });
  });
  return parts;
}

function functionResponsePart(message: ToolMessage, i: number, toolNames: Map<string, string>): GooglePart {
  const name = toolNames.get(message.tool_call_id);
  if (name === undefined) {
    throw HubErrors.invalidRequest(
      `messages[${i}].tool_call_id '${message.tool_call_id}' does not match a tool call of an earlier assistant message.`,
      `messages[${i}].tool_call_id`,
    );
  }
  const text = contentText(message.content);
  // `response` must be a JSON object (a protobuf Struct): tool output that already is one is passed
  // as is, so the model sees structure; anything else (text, arrays, numbers) is wrapped.
  let response: Record<string, unknown> = { content: text };
  try {
    const parsed: unknown = JSON.parse(text);
    if (isPlainObject(parsed)) response = parsed;
  } catch {
    // Plain text output: keep the wrapper.
  }
  return { functionResponse: { name, response } };
}

function imagePart(url: string, param: string): GooglePart {
  if (!url.startsWith('data:')) {
    const mimeType = mimeTypeFromUrl(url);
    return { fileData: mimeType ? { fileUri: url, mimeType } : { fileUri: url } };
  }
  // data:[<mime>][;param...][;base64],<payload>
  const comma = url.indexOf(',');
  if (comma === -1) throw HubErrors.invalidRequest(`${param} is not a valid data: URL.`, param);
  const [mimeType, ...params] = url.slice('data:'.length, comma).split(';');
  if (!mimeType) throw HubErrors.invalidRequest(`${param} has no MIME type; Gemini needs one (e.g. data:image/png;base64,...).`, param);
  const payload = url.slice(comma + 1);
  const base64 = params.some((p) => p.toLowerCase() === 'base64');
  const data = base64 ? payload.replace(/\s+/g, '') : Buffer.from(decodeURIComponent(payload), 'utf8').toString('base64');
  return { inlineData: { mimeType: mimeType.toLowerCase(), data } };
}

const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};

/** fileData.mimeType is optional, but Gemini cannot sniff an arbitrary web URL: send it when the extension tells. */
function mimeTypeFromUrl(url: string): string | undefined {
  let path: string;
  try {
    path = new URL(url).pathname;
  } catch {
    return undefined;
  }
  const dot = path.lastIndexOf('.');
  return dot === -1 ? undefined : MIME_BY_EXTENSION[path.slice(dot + 1).toLowerCase()];
}

/**
 * Models before Gemini 3 neither require nor are known to accept the sentinel; everything else
 * (gemini-3*, and `-latest` aliases that may point at one) gets it.
 */
function needsSignatureSentinel(model: string): boolean {
  return !/^(gemini-[12][.-]|gemma-|learnlm-)/.test(googleModelId(model));
}

/** Gemini validates the signature on the first functionCall part of each model turn only. */
function signReplayedFunctionCalls(contents: GoogleContent[]): void {
  for (const content of contents) {
    if (content.role !== 'model') continue;
    const first = content.parts.find((part) => part.functionCall !== undefined);
    if (first && first.thoughtSignature === undefined) first.thoughtSignature = GOOGLE_THOUGHT_SIGNATURE_SENTINEL;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
