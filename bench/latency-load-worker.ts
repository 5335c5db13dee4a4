/**
 * One load process of section 7 (realistic latency): `connections` closed loops, each on its own
 * keep-alive connection, each sending one chat request after the other and reading the whole
 * answer (a stream to its end). undici directly rather than autocannon: autocannon keeps one
 * process for every connection it drives, and 10,000 connections with their sockets are split
 * over several of these processes instead (each stays under the per-process open-file cap).
 *
 * Input: the JSON of a `LatencyLoadSpec` in the env variable LATENCY_LOAD_SPEC. Output: one
 * line of JSON, a `LatencyLoadPart`, on stdout, after which the process exits.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'undici';

export interface LatencyLoadSpec {
  url: string;
  path: string;
  body: string;
  connections: number;
  /** The loops start spread over this time, so that they do not all send at the same instant. */
  rampMs: number;
  /** Measurement window, from the start of this process: requests before it are a warm-up. */
  measureFromMs: number;
  measureToMs: number;
  /** A request not answered whole within this time is an error (`timeout`). */
  timeoutMs: number;
  /** Text a good answer contains (the fake's reply, or a stream's end marker). */
  expect: string;
}

export interface LatencyLoadPart {
  /** Answers that ended inside the window, good or not. */
  responsesInWindow: number;
  /** Good answers (200 with the expected text) that ended inside the window. */
  okInWindow: number;
  /** Milliseconds of each good answer that started and ended inside the window. */
  samples: number[];
  /** Every answer's status, warm-up included. */
  statusCodes: Record<string, number>;
  /** Transport failures and timeouts by code, warm-up included. */
  errors: Record<string, number>;
  /** 200 answers without the expected text. */
  mismatches: number;
  firstProblem: string | null;
  /** CPU seconds this load process used. */
  cpuS: number;
}

/** After a failed request, a loop waits this long, so that fast failures do not spin a core. */
const PAUSE_AFTER_FAILURE_MS = 100;

async function run(spec: LatencyLoadSpec): Promise<LatencyLoadPart> {
  const started = performance.now();
  const since = () => performance.now() - started;
  const pool = new Pool(spec.url, { connections: spec.connections, keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0, connectTimeout: 30_000 });
  const part: LatencyLoadPart = { responsesInWindow: 0, okInWindow: 0, samples: [], statusCodes: {}, errors: {}, mismatches: 0, firstProblem: null, cpuS: 0 };
  const inWindow = (t: number) => t >= spec.measureFromMs && t <= spec.measureToMs;
  const problem = (text: string) => {
    part.firstProblem ??= text;
  };

  const loop = async (index: number): Promise<void> => {
    await sleep((spec.rampMs * index) / spec.connections);
    while (since() < spec.measureToMs) {
      const start = since();
      let ok = false;
      try {
        const response = await pool.request({
          path: spec.path,
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: spec.body,
          signal: AbortSignal.timeout(spec.timeoutMs),
        });
        const text = await response.body.text();
        const end = since();
        const status = String(response.statusCode);
        part.statusCodes[status] = (part.statusCodes[status] ?? 0) + 1;
        ok = response.statusCode === 200 && text.includes(spec.expect);
        if (response.statusCode === 200 && !ok) {
          part.mismatches++;
          problem(`200 without '${spec.expect}': ${text.slice(0, 200)}`);
        } else if (!ok) {
          problem(`${status}: ${text.slice(0, 200)}`);
        }
        if (inWindow(end)) {
          part.responsesInWindow++;
          if (ok) part.okInWindow++;
          if (ok && start >= spec.measureFromMs) part.samples.push(end - start);
        }
      } catch (error) {
        const code = error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : ((error as { code?: string }).code ?? (error as Error).name ?? 'error');
        part.errors[code] = (part.errors[code] ?? 0) + 1;
        problem(`${code}: ${(error as Error).message}`);
      }
      if (!ok) await sleep(PAUSE_AFTER_FAILURE_MS);
    }
  };

  await Promise.all(Array.from({ length: spec.connections }, (_, i) => loop(i)));
  await pool.destroy();
  const { user, system } = process.cpuUsage();
  part.cpuS = (user + system) / 1e6;
  return part;
}

if (require.main === module) {
  const spec = JSON.parse(process.env.LATENCY_LOAD_SPEC ?? 'null') as LatencyLoadSpec | null;
  if (!spec) throw new Error('LATENCY_LOAD_SPEC is required');
  run(spec).then(
    (part) => process.stdout.write(`${JSON.stringify(part)}\n`, () => process.exit(0)),
    (error: unknown) => {
      process.stderr.write(`latency load worker failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    },
  );
}
