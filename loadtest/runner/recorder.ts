/**
 * Turns each exchange into k6's metrics (metrics.ts) the way k6 records them: a request fails
 * (http_req_failed) on a transport error or a status outside 200-399, every check of the scenario
 * adds a sample to `checks`, and the scenario's own metrics (time to first token, tokens/s, cache
 * hits) are added where they apply. It also counts what the summary breaks down: statuses, transport
 * errors, each check, the x-llm-hub-cache values, and the first failure's message.
 */
import { tokensPerSecond } from '../scenarios/answer';
import { METRICS, type Check } from '../scenarios/scenario';
import type { Exchange } from './exchange';
import { runMetrics } from './metrics';

export interface CheckCount {
  passes: number;
  fails: number;
}

/** Longest message kept for the first failure. */
const MESSAGE_CHARS = 300;

export class Recorder {
  readonly metrics;
  readonly statusCodes: Record<string, number> = {};
  readonly transportErrors: Record<string, number> = {};
  readonly checks: Record<string, CheckCount>;
  /** Answers by their x-llm-hub-cache value. */
  readonly cache: Record<string, number> = {};
  /** Iterations cut short by the end of the run (after the graceful stop) or by a signal. */
  interrupted = 0;
  firstFailure: string | undefined;

  constructor(
    private readonly scenarioChecks: Record<string, Check>,
    elapsedS: () => number,
  ) {
    this.metrics = runMetrics(elapsedS);
    this.checks = Object.fromEntries(Object.keys(scenarioChecks).map((name) => [name, { passes: 0, fails: 0 }]));
  }

  dropped(): void {
    this.metrics.dropped_iterations.add();
  }

  record(exchange: Exchange, stream: boolean): void {
    if (exchange.interrupted) {
      this.interrupted++;
      return;
    }
    const { answer } = exchange;
    const m = this.metrics;
    m.iterations.add();
    m.http_reqs.add();
    if (exchange.durationMs !== undefined) m.http_req_duration.add(exchange.durationMs);
    const failed = exchange.transportError !== undefined || answer.status < 200 || answer.status >= 400;
    m.http_req_failed.add(failed);
    if (exchange.transportError !== undefined) count(this.transportErrors, exchange.transportError);
    else count(this.statusCodes, String(answer.status));

    const failedChecks: string[] = [];
    for (const [name, check] of Object.entries(this.scenarioChecks)) {
      const ok = check(answer);
      m.checks.add(ok);
      if (ok) this.checks[name].passes++;
      else {
        this.checks[name].fails++;
        failedChecks.push(name);
      }
    }
    if ((failed || failedChecks.length > 0) && this.firstFailure === undefined) {
      const what = exchange.transportError ?? `status ${answer.status}`;
      this.firstFailure = `${what}${failedChecks.length ? `, failed checks: ${failedChecks.join(', ')}` : ''}${answer.error ? `: ${answer.error}` : ''}`.slice(0, MESSAGE_CHARS);
    }

    if (answer.cache !== undefined) {
      count(this.cache, answer.cache);
      m[METRICS.cacheHit].add(answer.cache === 'HIT');
    }
    if (stream && exchange.ttftMs !== undefined && exchange.durationMs !== undefined) {
      m[METRICS.ttft].add(exchange.ttftMs);
      const rate = tokensPerSecond(answer.completionTokens, exchange.ttftMs, exchange.durationMs);
      if (rate !== undefined) m[METRICS.tokensPerSecond].add(rate);
    }
  }
}

function count(counts: Record<string, number>, key: string): void {
  counts[key] = (counts[key] ?? 0) + 1;
}
