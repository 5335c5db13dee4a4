/**
 * What a load-test scenario is. Each scenario file (smoke.ts, load.ts, ...) exports one
 * `ScenarioFactory`, written once for two drivers: k6 (each `<name>.k6.ts` entry adapts it to k6's
 * `options` and default function through adapter.k6.ts) and the Node load runner (loadtest/runner/),
 * which k6 cannot replace where k6 cannot be installed.
 *
 * Everything in this directory except the *.k6.ts files also runs in k6's JavaScript runtime: no
 * Node or browser APIs, plain ES2020, and imports name the file with its .ts extension (k6 resolves
 * a path as it is written; tsc rewrites the extension for Node: rewriteRelativeImportExtensions).
 * The executor and threshold shapes are k6's own, so that k6 reads them as they are: the Node
 * runner implements the subset used here.
 */
import type { Answer } from './answer.ts';
import type { ChatRequest } from './chat.ts';
import type { Settings } from './settings.ts';

export interface Stage {
  /** k6 duration of this stage. */
  duration: string;
  /** VUs (ramping-vus) or iterations per timeUnit (ramping-arrival-rate) reached at its end. */
  target: number;
}

interface Common {
  /** How long iterations still running at the end may take before they are interrupted; k6's default 30s. */
  gracefulStop?: string;
}

export interface ConstantVus extends Common {
  executor: 'constant-vus';
  vus: number;
  duration: string;
}

export interface RampingVus extends Common {
  executor: 'ramping-vus';
  startVUs?: number;
  stages: Stage[];
}

export interface ConstantArrivalRate extends Common {
  executor: 'constant-arrival-rate';
  /** Iterations started per timeUnit, whether earlier ones have finished or not (an open model). */
  rate: number;
  timeUnit?: string;
  duration: string;
  preAllocatedVUs: number;
  /** At most this many iterations at once: an arrival beyond it is dropped (dropped_iterations). */
  maxVUs?: number;
}

export interface RampingArrivalRate extends Common {
  executor: 'ramping-arrival-rate';
  startRate?: number;
  timeUnit?: string;
  stages: Stage[];
  preAllocatedVUs: number;
  maxVUs?: number;
}

/** The k6 executors the scenarios use (k6's scenario objects, exactly). */
export type Executor = ConstantVus | RampingVus | ConstantArrivalRate | RampingArrivalRate;

/** k6 threshold expressions ("p(95)<5000", "rate<=0.01") by metric name. */
export type Thresholds = Record<string, string[]>;

export interface Iteration {
  /** 1-based virtual user. */
  vu: number;
  /** 0-based number of the iteration in the whole test (all VUs, all load generators). */
  index: number;
}

export type Check = (answer: Answer) => boolean;

export interface ScenarioDefinition {
  name: string;
  /** One line: what the scenario shows. */
  description: string;
  executor: Executor;
  /** The SLOs: a run that misses one fails (k6 and the runner exit with 99). */
  thresholds: Thresholds;
  /** The request one iteration sends. */
  request(iteration: Iteration): ChatRequest;
  /** k6 checks on each answer: their pass rate is the `checks` metric. */
  checks: Record<string, Check>;
}

export type ScenarioFactory = (settings: Settings) => ScenarioDefinition;

/** Custom metrics, besides k6's built-in http_reqs, http_req_duration, http_req_failed and checks. */
export const METRICS = {
  /** Trend, ms: time to the first content token of a stream. */
  ttft: 'llm_ttft',
  /** Trend: completion tokens per second of a stream, after its first token. */
  tokensPerSecond: 'llm_tokens_per_second',
  /** Rate: answers whose x-llm-hub-cache header says HIT. */
  cacheHit: 'llm_cache_hit',
} as const;

export const ANSWER_CHECKS: Record<string, Check> = {
  'status is 200': (answer) => answer.status === 200,
  'answer has content': (answer) => answer.content.length > 0,
};

export const STREAM_CHECKS: Record<string, Check> = {
  ...ANSWER_CHECKS,
  'stream ended with [DONE]': (answer) => answer.complete,
  'stream reported usage': (answer) => answer.completionTokens !== undefined,
};
