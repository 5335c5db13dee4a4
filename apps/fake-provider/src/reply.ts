/**
 * Deterministic reply planning, shared by every wire format. Each route reduces its request
 * to a `Conversation`; the plan made from it is the same whichever format asked, so a test
 * that goes through the gateway sees the same answer whichever provider the gateway chose.
 */
import type { Directives } from './directives';
import { PADDING_MARKER, PADDING_PIECE } from './padding';
import { argumentsFromSchema } from './tool-arguments';

export interface DeclaredTool {
  name: string;
  /** JSON Schema of the arguments. */
  schema: unknown;
}

export interface Conversation {
  /** Text of the final user turn, directives already removed. */
  userText: string;
  /** Texts of the tool results carried by the final user turn. */
  toolResults: string[];
  /** Whitespace-separated words across system, message and tool-result texts. */
  promptWords: number;
  tools: DeclaredTool[];
  /** The JSON Schema the request asks the answer to follow (structured-output.ts); the text is then a value of it. */
  answerSchema?: unknown;
  /** A tool the request forces (Anthropic `tool_choice: {type: "tool"}`): called without a directive. */
  forcedTool?: string;
}

export interface PlannedToolCall {
  name: string;
  args: Record<string, unknown>;
  argsJson: string;
  /** argsJson split into small pieces for streaming. */
  pieces: string[];
}

export interface ReplyPlan {
  /** The reply text; empty when the reply is tool calls. */
  text: string;
  /** The text split into stream chunks. */
  chunks: string[];
  toolCalls: PlannedToolCall[];
  promptTokens: number;
  completionTokens: number;
}

export const DEFAULT_CHUNKS = 5;

const JSON_REPLY = '{"ok":true}';
// Argument pieces cycle through these sizes: small and uneven, like a real model's deltas,
// so a client that reassembles by concatenation (and not by assuming whole tokens) is tested.
const PIECE_SIZES = [3, 5, 8, 4, 7, 6];

let samples = 0;
/** For `vary`: counts this process's varied answers, so no two are the same. */
function nextSample(): number {
  samples = (samples + 1) % Number.MAX_SAFE_INTEGER;
  return samples;
}

export function planReply(conversation: Conversation, directives: Directives | undefined): ReplyPlan {
  const promptTokens = conversation.promptWords;
  const toolCount = directives?.tools;
  const forced = conversation.tools.filter((tool) => tool.name === conversation.forcedTool);
  if ((toolCount !== undefined && conversation.tools.length > 0) || forced.length > 0) {
    const toolCalls = (toolCount === undefined ? forced : conversation.tools.slice(0, toolCount)).map(planToolCall);
    let completionTokens = 0;
    for (const call of toolCalls) completionTokens += Math.ceil(call.argsJson.length / 4);
    return { text: '', chunks: [], toolCalls, promptTokens, completionTokens };
  }
  let text: string;
  if (directives?.json) text = JSON_REPLY;
  else if (conversation.answerSchema !== undefined && conversation.toolResults.length === 0) text = JSON.stringify(argumentsFromSchema(conversation.answerSchema));
  else if (conversation.toolResults.length > 0) text = `Fake reply using tool results: ${conversation.toolResults.join(' | ')}`;
  else text = `Fake reply to: ${conversation.userText}`;
  if (directives?.vary) text += ` (sample ${nextSample()})`;
  return {
    text: directives?.size === undefined ? text : text + PADDING_MARKER,
    chunks: paddedChunks(splitEvenly(text, directives?.chunks ?? DEFAULT_CHUNKS), directives),
    toolCalls: [],
    promptTokens,
    completionTokens: countWords(text),
  };
}

/**
 * `event-size` marks the first chunk for padding (the stream writer puts it in); `size` adds padding
 * chunks (the same string each time, so they cost no memory).
 */
function paddedChunks(chunks: string[], directives: Directives | undefined): string[] {
  if (directives?.eventSize !== undefined) chunks[0] += PADDING_MARKER;
  const size = directives?.size ?? 0;
  for (let padded = 0; padded < size; padded += PADDING_PIECE.length) chunks.push(PADDING_PIECE);
  return chunks;
}

function planToolCall(tool: DeclaredTool): PlannedToolCall {
  const args = argumentsFromSchema(tool.schema);
  const argsJson = JSON.stringify(args);
  return { name: tool.name, args, argsJson, pieces: splitPieces(argsJson) };
}

/** Splits text into `n` non-empty pieces of near-equal length (fewer when the text is shorter). */
export function splitEvenly(text: string, n: number): string[] {
  const count = Math.max(1, Math.min(n, text.length));
  if (count === 1) return [text];
  const pieces: string[] = [];
  let start = 0;
  for (let i = 1; i <= count; i++) {
    let end = i === count ? text.length : Math.floor((text.length * i) / count);
    end = avoidSurrogateSplit(text, end);
    if (end > start) pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

function splitPieces(text: string): string[] {
  const pieces: string[] = [];
  let start = 0;
  for (let i = 0; start < text.length; i++) {
    const end = avoidSurrogateSplit(text, Math.min(text.length, start + PIECE_SIZES[i % PIECE_SIZES.length]));
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

// A cut between the halves of a surrogate pair would send a lone surrogate in each chunk.
function avoidSurrogateSplit(text: string, index: number): number {
  if (index <= 0 || index >= text.length) return index;
  const code = text.charCodeAt(index);
  return code >= 0xdc00 && code <= 0xdfff ? index + 1 : index;
}

/** Counts whitespace-separated words without allocating (no split, no regex). */
export function countWords(text: string): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || (c >= 9 && c <= 13) || c === 160;
    if (space) inWord = false;
    else if (!inWord) {
      inWord = true;
      words++;
    }
  }
  return words;
}

/**
 * The text of a message's content in either wire shape: a string, or a list of parts/blocks
 * whose `{type:'text', text}` entries are joined with newlines (OpenAI parts and Anthropic
 * blocks share this shape).
 */
export function contentPartsText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  let text = '';
  for (const part of content as Array<{ type?: unknown; text?: unknown } | null>) {
    if (part?.type === 'text' && typeof part.text === 'string') text += text.length > 0 ? `\n${part.text}` : part.text;
  }
  return text;
}
