/**
 * The steps every model route shares, in the order a real provider's front door takes them:
 * read the body, check the credentials, apply injected failures, then the prompt's directives.
 */
import { BAD_KEY, type Dialect } from './dialect';
import type { Directives } from './directives';
import type { Exchange } from './exchange';
import { readJsonBody, sendJson, sleep } from './http-io';
import type { Scenario } from './scenario';
import type { FakeStats } from './stats';
import type { Gathering } from './gathering';

export interface ModelContext {
  stats: FakeStats;
  gathering: Gathering;
  scenario: Scenario;
  maxBodyBytes: number;
}

export function sendError(ex: Exchange, dialect: Dialect, status: number, message: string, retryAfter?: number, code?: string): void {
  const headers = retryAfter === undefined ? undefined : { 'retry-after': String(retryAfter) };
  sendJson(ex, status, dialect.errorBody(status, message, code), headers);
}

/**
 * Reads the body and runs the checks that come before a route looks at it. Resolves the parsed
 * body, or `undefined` when a response was already sent (or the client left).
 */
export async function admit(ex: Exchange, dialect: Dialect, ctx: ModelContext): Promise<unknown> {
  const result = await readJsonBody(ex.req, ctx.maxBodyBytes);
  if (result === undefined) return undefined;
  ctx.stats.recordRequest({
    method: ex.req.method ?? 'POST',
    path: ex.req.url ?? ex.path,
    headers: ex.req.headers,
    body: result.ok ? result.body : (result.raw ?? null),
    text: result.ok ? result.text : result.raw,
  });
  const precheck = dialect.precheck?.(ex);
  if (precheck !== undefined) {
    sendError(ex, dialect, 400, precheck);
    return undefined;
  }
  if (dialect.verifySignature && result.ok) {
    const refusal = await dialect.verifySignature(ex, result.text);
    if (refusal !== undefined) {
      sendError(ex, dialect, refusal.status, refusal.message);
      return undefined;
    }
  }
  const key = dialect.apiKey(ex);
  if (!key || key === BAD_KEY) {
    sendError(ex, dialect, 401, dialect.unauthorizedMessage(key));
    return undefined;
  }
  const failure = ctx.scenario.take();
  if (failure?.reset) {
    ex.destroySocket(true);
    return undefined;
  }
  // Hang: answer nothing; the stats' close listener counts the abort when the client gives up.
  if (failure?.hang) return undefined;
  if (failure !== undefined) {
    sendError(ex, dialect, failure.status, `Fake failure injected by scenario (status ${failure.status})`, failure.retryAfter);
    return undefined;
  }
  if (!result.ok) {
    sendError(ex, dialect, result.status, result.message);
    return undefined;
  }
  if (typeof result.body !== 'object' || result.body === null || Array.isArray(result.body)) {
    sendError(ex, dialect, 400, 'Request body must be a JSON object');
    return undefined;
  }
  return result.body;
}

/**
 * Applies the directives that decide whether there is a reply at all. Resolves true when the
 * route should go on and answer normally.
 */
export async function applyDirectives(ex: Exchange, dialect: Dialect, d: Directives | undefined, ctx: ModelContext): Promise<boolean> {
  if (d === undefined) return !ex.gone;
  if (d.reset) {
    ex.destroySocket(true);
    return false;
  }
  // Hang: answer nothing; the stats' close listener counts the abort when the client gives up.
  if (d.hang) return false;
  if (d.latency !== undefined) await (d.gather === undefined ? sleep(ex, d.latency) : ctx.gathering.wait(ex, d.gather, d.latency));
  if (ex.gone) return false;
  if (d.echoKey) {
    // Some proxies and providers echo a key without its prefix: redaction must not rely on it.
    sendError(ex, dialect, d.status ?? 401, `The key ending ${(dialect.apiKey(ex) ?? '').slice(3)} is not allowed here`, d.retryAfter);
    return false;
  }
  if (d.status !== undefined) {
    // A 401 echoes the key like real providers do ("Incorrect API key provided: sk-..."), so
    // the gateway's redaction of upstream messages is tested against the real hazard.
    const message = d.status === 401 ? dialect.unauthorizedMessage(dialect.apiKey(ex)) : `Fake error: status ${d.status} requested by directive`;
    sendError(ex, dialect, d.status, message, d.retryAfter, d.code);
    return false;
  }
  return true;
}
