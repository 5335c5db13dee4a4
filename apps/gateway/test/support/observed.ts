import type { RunningProcess } from './processes';

/** What the e2e specs read back from a gateway: its JSON log lines and its /metrics samples. */
export type LogLine = Record<string, any>;

/** The complete JSON lines a process printed so far. */
export function jsonLines(process: RunningProcess): LogLine[] {
  return process
    .output()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        return [JSON.parse(line) as LogLine];
      } catch {
        return []; // a line still being written
      }
    });
}

/** The per-request lines (`"msg":"request"`) a process printed so far. */
export const requestLines = (process: RunningProcess): LogLine[] => jsonLines(process).filter((line) => line.msg === 'request');

/** Sum of the samples of a metric whose labels include the given ones (Prometheus text format). */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const got: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) got[key] = value;
    if (Object.entries(labels).every(([key, value]) => got[key] === value)) total += Number(match[3]);
  }
  return total;
}

/** GET /metrics, which must answer 200. */
export async function scrape(gateway: RunningProcess): Promise<string> {
  const response = await fetch(`${gateway.url}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}
