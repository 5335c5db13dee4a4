/**
 * Streaming time to first chunk: sequential `stream: true` requests, alternating between the
 * targets (so drift hits both alike), each timed with process.hrtime from just before the request
 * is sent to the arrival of the first body bytes holding `data:`. Every stream is read to the end
 * and must be a 200 that ends with `data: [DONE]`.
 */
import { Pool } from 'undici';
import { CHAT_PATH, type Target } from './load';
import { summarize, type LatencySummary } from './percentiles';

export interface FirstChunkResult {
  target: string;
  requests: number;
  /** Request sent -> first `data:` chunk received. */
  firstChunkMs: LatencySummary;
  /** Request sent -> `data: [DONE]` received (whole stream). */
  totalMs: LatencySummary;
}

interface Timing {
  firstChunkMs: number;
  totalMs: number;
}

const DATA = Buffer.from('data:');

async function timeOne(pool: Pool, body: string): Promise<Timing> {
  const start = process.hrtime.bigint();
  const response = await pool.request({
    path: CHAT_PATH,
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
    body,
  });
  let firstChunkMs = NaN;
  const parts: Buffer[] = [];
  for await (const part of response.body) {
    const chunk = part as Buffer;
    if (Number.isNaN(firstChunkMs) && chunk.includes(DATA)) firstChunkMs = Number(process.hrtime.bigint() - start) / 1e6;
    parts.push(chunk);
  }
  const totalMs = Number(process.hrtime.bigint() - start) / 1e6;
  const text = Buffer.concat(parts).toString('utf8');
  if (response.statusCode !== 200) throw new Error(`stream answered ${response.statusCode}: ${text.slice(0, 300)}`);
  if (!text.includes('Fake reply') || !text.trimEnd().endsWith('data: [DONE]')) {
    throw new Error(`stream did not carry the fake's reply and end with [DONE]: ${text.slice(0, 300)}`);
  }
  return { firstChunkMs, totalMs };
}

/** Runs `warmup` untimed then `requests` timed streams per target, one at a time. */
export async function measureFirstChunk(targets: Target[], body: string, requests: number, warmup: number): Promise<FirstChunkResult[]> {
  const pools = targets.map((t) => new Pool(t.url, { connections: 1, keepAliveTimeout: 60_000, headersTimeout: 10_000, bodyTimeout: 10_000 }));
  const timings: Timing[][] = targets.map(() => []);
  try {
    for (let i = 0; i < warmup + requests; i++) {
      // Alternate which target goes first, so neither always follows the other.
      for (let k = 0; k < targets.length; k++) {
        const index = (i + k) % targets.length;
        let timing: Timing;
        try {
          timing = await timeOne(pools[index], body);
        } catch (error) {
          throw new Error(`first-chunk run against ${targets[index].name}: ${(error as Error).message}`, { cause: error });
        }
        if (i >= warmup) timings[index].push(timing);
      }
    }
  } finally {
    await Promise.all(pools.map((p) => p.close()));
  }
  return targets.map((t, index) => ({
    target: t.name,
    requests: timings[index].length,
    firstChunkMs: summarize(timings[index].map((x) => x.firstChunkMs)),
    totalMs: summarize(timings[index].map((x) => x.totalMs)),
  }));
}
