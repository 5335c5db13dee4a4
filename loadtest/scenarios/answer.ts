/**
 * What came back for one request, read the same way by k6 and by the Node runner: the checks and
 * the custom metrics look only at this. The gateway answers in OpenAI's shapes: a chat completion,
 * an SSE stream of chunks ending with `data: [DONE]` (a usage chunk before it when asked), or an
 * error `{"error":{"message",...}}` (as the body, or in-band as the last event of a stream).
 */
export interface Answer {
  status: number;
  /** The gateway's x-llm-hub-cache header: HIT, MISS or BYPASS. */
  cache: string | undefined;
  /** The reply text: the message of a completion, the content deltas of a stream joined. */
  content: string;
  /** A completion that parsed, or a stream that ended with [DONE]. */
  complete: boolean;
  completionTokens: number | undefined;
  /** The error message of an error answer or of an in-band stream error. */
  error: string | undefined;
}

const DONE = '[DONE]';

interface Chunk {
  choices?: Array<{ delta?: { content?: string | null }; message?: { content?: string | null } }>;
  usage?: { completion_tokens?: number } | null;
  error?: { message?: string };
}

function parse(text: string): Chunk | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value && typeof value === 'object' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** A JSON answer (a completion or an error). */
export function jsonAnswer(status: number, cache: string | undefined, body: string): Answer {
  const value = parse(body);
  const tokens = value?.usage?.completion_tokens;
  return {
    status,
    cache,
    content: value?.choices?.[0]?.message?.content ?? '',
    complete: status === 200 && value?.choices !== undefined,
    completionTokens: typeof tokens === 'number' ? tokens : undefined,
    error: value?.error?.message ?? (value === undefined && status !== 200 ? body.slice(0, 200) : undefined),
  };
}

/** The content a stream chunk adds ('' for role, usage and [DONE] chunks, or text that is not a chunk). */
export function deltaContent(data: string): string {
  if (data === DONE) return '';
  return parse(data)?.choices?.[0]?.delta?.content ?? '';
}

/** A stream, from the data of its events in order. */
export function streamAnswer(status: number, cache: string | undefined, events: readonly string[]): Answer {
  let content = '';
  let completionTokens: number | undefined;
  let error: string | undefined;
  let complete = false;
  for (const data of events) {
    if (data === DONE) {
      complete = error === undefined;
      continue;
    }
    const chunk = parse(data);
    if (chunk?.error) error = chunk.error.message ?? 'stream error';
    content += chunk?.choices?.[0]?.delta?.content ?? '';
    if (typeof chunk?.usage?.completion_tokens === 'number') completionTokens = chunk.usage.completion_tokens;
  }
  return { status, cache, content, complete, completionTokens, error };
}

/**
 * The data of each event of a whole SSE body. k6 reads a stream only once it has ended, as one
 * string (its http module has no streaming), so a line split is all it needs; the Node runner reads
 * streams as they come with the gateway's own incremental parser instead.
 */
export function sseData(body: string): string[] {
  const out: string[] = [];
  for (const line of body.split(/\r\n|\r|\n/)) {
    if (line.startsWith('data:')) out.push(line.slice(line.startsWith('data: ') ? 6 : 5));
  }
  return out;
}

/**
 * Completion tokens per second once the first token came: what a user sees the answer print at.
 * Undefined without usage, or when the stream ended with its first token.
 */
export function tokensPerSecond(completionTokens: number | undefined, ttftMs: number, totalMs: number): number | undefined {
  const generatingMs = totalMs - ttftMs;
  if (completionTokens === undefined || generatingMs <= 0) return undefined;
  return completionTokens / (generatingMs / 1000);
}
