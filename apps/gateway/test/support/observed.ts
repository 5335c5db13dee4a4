import type { RunningProcess } from './processes';

/** What the e2e specs read back from a gateway: its JSON log lines and its /metrics samples. */
export type LogLine = Record<string, any>;

/** The complete JSON lines a process printed so far. */
function jsonLines(process: RunningProcess): LogLine[] {
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

export interface Sample {
  /** Metric name plus its labels sorted by name: equal for two lines of the same series. */
  series: string;
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** Every sample line of a Prometheus text exposition (comments and blank lines skipped). */
export function samples(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = SAMPLE_LINE.exec(line);
    if (!match) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) labels[key] = value;
    const sorted = Object.keys(labels)
      .sort()
      .map((key) => `${key}="${labels[key]}"`);
    out.push({ series: `${match[1]}{${sorted.join(',')}}`, name: match[1], labels, value: Number(match[3]) });
  }
  return out;
}

/** Sum of the samples of a metric whose labels include the given ones. */
export function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  let total = 0;
  for (const s of samples(text)) {
    if (s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value)) total += s.value;
  }
  return total;
}

/**
 * Series (name + label set) exported more than once. Prometheus keeps one sample of each per
 * scrape, and `promtool check metrics` does not object, so a duplicate silently loses data.
 */
export function duplicateSeries(text: string): string[] {
  const seen = new Set<string>();
  const duplicates = new Set<string>();
  for (const { series } of samples(text)) {
    if (seen.has(series)) duplicates.add(series);
    seen.add(series);
  }
  return [...duplicates].sort();
}

/** GET /metrics from the gateway's metrics listener, which must answer 200. */
export async function scrape(gateway: RunningProcess): Promise<string> {
  if (!gateway.metricsUrl) throw new Error('this gateway has no metrics listener (observability.metrics.enabled is false?)');
  const response = await fetch(`${gateway.metricsUrl}/metrics`);
  expect(response.status).toBe(200);
  return response.text();
}
