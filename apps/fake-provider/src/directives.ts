/**
 * Behaviour directives: a `[[fake key=value flag]]` token in the text of the final user
 * turn. They travel inside the prompt text, not in headers or extra fields, because text is
 * the one thing every gateway translation (OpenAI <-> Anthropic <-> Gemini) must preserve.
 */
export interface Directives {
  /** Answer with this HTTP error status (400-599) in the format's error shape. */
  status?: number;
  /** With `status`: the error body's `code` (OpenAI's dialect), e.g. `insufficient_quota` for a spent quota. */
  code?: string;
  /** Seconds for a Retry-After header on the error answer. */
  retryAfter?: number;
  /** Milliseconds to wait before sending headers. */
  latency?: number;
  /** With `latency`: answer as soon as this many requests with `gather` wait together (gathering.ts). */
  gather?: number;
  /** Number of content chunks in a stream. */
  chunks?: number;
  /** Milliseconds between stream events. */
  chunkDelay?: number;
  /** Stream: destroy the socket after this many content chunks. */
  cutAfter?: number;
  /** Stream: send the in-stream error event after this many content chunks. */
  errorAfter?: number;
  /** Stream: after this many content chunks, send nothing more and keep the connection open. */
  stallAfter?: number;
  /** Send the response headers, then nothing more; the connection stays open. */
  stall: boolean;
  /** Send the body one byte at a time, this many milliseconds apart. */
  drip?: number;
  /** Pad the reply: a JSON answer of about this many bytes, or a stream with this many bytes of extra content. */
  size?: number;
  /** Stream: the first content chunk carries this many bytes of padding (one huge event on one huge line). */
  eventSize?: number;
  /** Never answer. */
  hang: boolean;
  /** Answer with an error (`status`, default 401) whose message echoes the request's key without its first 3 characters. */
  echoKey: boolean;
  /** Destroy the socket without a response. */
  reset: boolean;
  /** Call tools: `Infinity` for every declared tool, N for the first N. */
  tools?: number;
  /** Reply content is `{"ok":true}`. */
  json: boolean;
  /** With `tools`, Anthropic dialect: a text block comes before the tool_use blocks, as Claude often writes one. */
  preamble?: boolean;
  /** The reply text ends with a number no other answer of this process has, as a sampling model's answers differ. */
  vary?: boolean;
}

export interface ParsedPrompt {
  directives: Directives | undefined;
  /** The prompt text with every directive token removed. */
  text: string;
}

const MARKER = '[[fake';
// Compiled once: the default (directive-less) path never reaches them anyway.
const TOKEN = /\[\[fake(?:\s([^\]]*))?\]\]/g;
const WHITESPACE = /\s+/;
const DOUBLE_SPACES = / {2,}/g;
const MAX_CHUNKS = 10_000;
const MAX_SIZE = 4 * 1024 ** 3;

/** Extracts the first directive token (all tokens are stripped from the text). */
export function parsePrompt(text: string): ParsedPrompt {
  // Fast path for the benchmark: no marker, no regex.
  if (!text.includes(MARKER)) return { directives: undefined, text };
  let body: string | undefined;
  const stripped = text.replace(TOKEN, (_token, inner: string | undefined) => {
    body ??= inner ?? '';
    return ' ';
  });
  if (body === undefined) return { directives: undefined, text };
  return { directives: parseDirectiveBody(body), text: stripped.replace(DOUBLE_SPACES, ' ').trim() };
}

/** Parses the inside of a token: `key=value` pairs and bare flags; unknown keys are ignored. */
export function parseDirectiveBody(body: string): Directives {
  const d: Directives = { hang: false, reset: false, json: false, stall: false, echoKey: false };
  for (const item of body.trim().split(WHITESPACE)) {
    if (item.length === 0) continue;
    const eq = item.indexOf('=');
    const key = (eq === -1 ? item : item.slice(0, eq)).toLowerCase();
    const value = eq === -1 ? undefined : item.slice(eq + 1);
    switch (key) {
      case 'status': {
        const status = int(value);
        if (status !== undefined && status >= 400 && status <= 599) d.status = status;
        break;
      }
      case 'code':
        if (value !== undefined && /^[a-z_]{1,64}$/.test(value)) d.code = value;
        break;
      case 'retry-after':
        assign(d, 'retryAfter', nonNegative(value));
        break;
      case 'latency':
        assign(d, 'latency', nonNegative(value));
        break;
      case 'gather': {
        const n = int(value);
        if (n !== undefined && n >= 1) d.gather = n;
        break;
      }
      case 'chunks': {
        const n = int(value);
        if (n !== undefined && n >= 1) d.chunks = Math.min(n, MAX_CHUNKS);
        break;
      }
      case 'chunk-delay':
        assign(d, 'chunkDelay', nonNegative(value));
        break;
      case 'cut-after':
        assign(d, 'cutAfter', int(value));
        break;
      case 'error-after':
        assign(d, 'errorAfter', int(value));
        break;
      case 'stall-after':
        assign(d, 'stallAfter', int(value));
        break;
      case 'stall':
        d.stall = true;
        break;
      case 'drip': {
        const ms = nonNegative(value);
        if (ms !== undefined && ms > 0) d.drip = ms;
        break;
      }
      case 'size': {
        const bytes = int(value);
        if (bytes !== undefined && bytes <= MAX_SIZE) d.size = bytes;
        break;
      }
      case 'event-size': {
        const bytes = int(value);
        if (bytes !== undefined && bytes <= MAX_SIZE) d.eventSize = bytes;
        break;
      }
      case 'echo-key':
        d.echoKey = true;
        break;
      case 'hang':
        d.hang = true;
        break;
      case 'reset':
        d.reset = true;
        break;
      case 'tools': {
        const n = value === undefined ? Infinity : int(value);
        if (n !== undefined && n >= 1) d.tools = n;
        break;
      }
      case 'json':
        d.json = true;
        break;
      case 'preamble':
        d.preamble = true;
        break;
      case 'vary':
        d.vary = true;
        break;
      default:
        break;
    }
  }
  return d;
}

function assign(d: Directives, key: 'retryAfter' | 'latency' | 'chunkDelay' | 'cutAfter' | 'errorAfter' | 'stallAfter', value: number | undefined): void {
  if (value !== undefined) d[key] = value;
}

function int(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : undefined;
}

function nonNegative(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  return Number.isFinite(n) && n >= 0 ? n : undefined;
}
