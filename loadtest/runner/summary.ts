/** The end-of-run summary for people, laid out like k6's: thresholds first, then the metrics. */
import type { LoadResult, TrendSummary } from './result';

const WIDTH = 28;

function time(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)}s`;
  if (ms >= 1) return `${ms.toFixed(2)}ms`;
  return `${(ms * 1000).toFixed(2)}µs`;
}

const percent = (share: number) => `${(share * 100).toFixed(2)}%`;

function line(name: string, value: string): string {
  return `    ${`${name} `.padEnd(WIDTH, '.')}: ${value}`;
}

function trend(summary: TrendSummary, format: (n: number) => string): string {
  const { avg, min, med, max, p90, p95, p99 } = summary;
  return `avg=${format(avg)} min=${format(min)} med=${format(med)} max=${format(max)} p(90)=${format(p90)} p(95)=${format(p95)} p(99)=${format(p99)}`;
}

function counts(values: Record<string, number>): string {
  return Object.entries(values)
    .map(([key, n]) => `${key}=${n}`)
    .join(' ');
}

export function summaryText(result: LoadResult): string {
  const out: string[] = [];
  out.push(`  scenario: ${result.scenario}, ${result.executor}`);
  out.push(`  target:   ${result.target} (model ${result.model}), ran ${result.durationS}s, stopped by ${result.stoppedBy}`);
  out.push('', '  THRESHOLDS');
  let metric = '';
  for (const t of result.thresholds) {
    if (t.metric !== metric) out.push('', `    ${(metric = t.metric)}`);
    const aggregate = t.expression.replace(/\s*(<=|>=|===|==|!=|<|>).*$/, '').trim();
    const isTime = t.metric === 'http_req_duration' || t.metric === 'llm_ttft';
    const value = t.value === null ? 'no samples (not evaluated)' : `${aggregate}=${isTime && aggregate !== 'count' ? time(t.value) : t.value}`;
    out.push(`    ${t.ok ? '✓' : '✗'} '${t.expression}' ${value}`);
  }
  out.push('', '  TOTAL RESULTS', '');
  const checks = Object.values(result.checks).reduce((acc, c) => ({ passes: acc.passes + c.passes, fails: acc.fails + c.fails }), { passes: 0, fails: 0 });
  const checkTotal = checks.passes + checks.fails;
  out.push(line('checks_succeeded', `${percent(checkTotal ? checks.passes / checkTotal : 0)} ${checks.passes} out of ${checkTotal}`));
  for (const [name, c] of Object.entries(result.checks)) out.push(`    ${c.fails === 0 ? '✓' : '✗'} ${name}${c.fails ? ` (${c.fails} failed)` : ''}`);
  out.push('');
  if (result.latencyMs) out.push(line('http_req_duration', trend(result.latencyMs, time)));
  out.push(line('http_req_failed', `${percent(result.errorRate)} ${result.failed} out of ${result.requests}`));
  out.push(line('http_reqs', `${result.requests} ${result.reqPerSec}/s`));
  if (result.droppedIterations) out.push(line('dropped_iterations', String(result.droppedIterations)));
  if (result.interruptedIterations) out.push(line('interrupted_iterations', String(result.interruptedIterations)));
  if (result.ttftMs) out.push(line('llm_ttft', trend(result.ttftMs, time)));
  if (result.tokensPerSecond) out.push(line('llm_tokens_per_second', trend(result.tokensPerSecond, (n) => n.toFixed(1))));
  if (result.cache.hitRate !== null) out.push(line('llm_cache_hit', `${percent(result.cache.hitRate)} (${counts(result.cache.counts)})`));
  out.push('', `    statuses: ${counts(result.statusCodes) || 'none'}`);
  if (Object.keys(result.transportErrors).length) out.push(`    transport errors: ${counts(result.transportErrors)}`);
  if (result.firstFailure) out.push(`    first failure: ${result.firstFailure}`);
  out.push('', result.thresholdsPassed ? '  all thresholds passed' : `  thresholds failed: ${result.thresholds.filter((t) => !t.ok).map((t) => `${t.metric} '${t.expression}'`).join(', ')}`);
  return `${out.join('\n')}\n`;
}
