/** The fields of one request line, in the order they are written. */
export interface RequestLine {
  requestId: string;
  method: string;
  route: string;
  status: number;
  latencyMs: number;
  provider?: string;
  model?: string;
  target?: string;
  attempts?: number;
  cache: string;
  stream: boolean;
  upstreamMs?: number;
  firstChunkMs?: number;
  promptTokens?: number;
  completionTokens?: number;
  costUsd?: number;
  savedUsd?: number;
  /** Only with observability.requestLog.content. */
  messages?: unknown;
  answer?: unknown;
}

const S = JSON.stringify;

/**
 * The request line as pino would write it (`{"level":"info","time":…,…,"msg":"request"}` and a
 * newline), built by hand for this one fixed shape: pino's generic path (a key loop, a
 * stringify per value, string pieces joined) costs more per line and leaves more garbage behind
 * (docs/benchmarks.md#measurements-behind-code-choices). Every string goes
 * through JSON.stringify (model names come from clients); undefined fields are left out, as pino
 * leaves them out.
 */
export function formatRequestLine(line: RequestLine, time: number): string {
  let out = `{"level":"info","time":${time},"requestId":${S(line.requestId)},"method":${S(line.method)},"route":${S(line.route)},"status":${line.status},"latencyMs":${line.latencyMs}`;
  if (line.provider !== undefined) out += `,"provider":${S(line.provider)}`;
  if (line.model !== undefined) out += `,"model":${S(line.model)}`;
  if (line.target !== undefined) out += `,"target":${S(line.target)}`;
  if (line.attempts !== undefined) out += `,"attempts":${line.attempts}`;
  out += `,"cache":${S(line.cache)},"stream":${line.stream}`;
  if (line.upstreamMs !== undefined) out += `,"upstreamMs":${line.upstreamMs}`;
  if (line.firstChunkMs !== undefined) out += `,"firstChunkMs":${line.firstChunkMs}`;
  if (line.promptTokens !== undefined) out += `,"promptTokens":${line.promptTokens}`;
  if (line.completionTokens !== undefined) out += `,"completionTokens":${line.completionTokens}`;
  if (line.costUsd !== undefined) out += `,"costUsd":${line.costUsd}`;
  if (line.savedUsd !== undefined) out += `,"savedUsd":${line.savedUsd}`;
  if (line.messages !== undefined) out += `,"messages":${S(line.messages)}`;
  if (line.answer !== undefined) out += `,"answer":${S(line.answer)}`;
  return `${out},"msg":"request"}\n`;
}
