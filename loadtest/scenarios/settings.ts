/**
 * What a user sets for a load test, from environment variables: k6 passes `__ENV` (its `-e NAME=value`
 * and the process environment), the Node runner `process.env` plus its command-line flags. The
 * defaults live here and nowhere else; loadtest/README.md lists them (a unit spec keeps the two in
 * step).
 */
import { durationMs } from './duration.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface Slo {
  /** http_req_duration p(95) of non-streamed requests, ms. */
  p95Ms: number;
  /** http_req_duration p(99) of non-streamed requests, ms. */
  p99Ms: number;
  /** Largest share of failed requests (transport errors and statuses >= 400). */
  errorRate: number;
  /** Time to first token p(95) of streams, ms. */
  ttftP95Ms: number;
  /** Smallest share of cache hits in the cache-mix scenario. */
  cacheHitRate: number;
}

export interface Settings {
  /** The gateway's base URL, without a trailing slash (the scenarios add /v1/...). */
  targetUrl: string;
  model: string;
  /** Sent as `Authorization: Bearer <key>` when set (the gateway's LLM_HUB_API_KEYS). */
  apiKey: string | undefined;
  /** Load shape: undefined means the scenario's own default (see each scenario). */
  vus: number | undefined;
  maxVus: number | undefined;
  /** Requests per second, for the arrival-rate scenarios. */
  rate: number | undefined;
  duration: string | undefined;
  ramp: string | undefined;
  maxTokens: number;
  /** Appended to every prompt, e.g. `[[fake latency=500]]` for the fake provider's directives. */
  promptSuffix: string;
  /** A request not answered whole within this k6 duration fails. */
  timeout: string;
  /** Cache mix: how many distinct prompts the repeated requests cycle through. */
  promptPool: number;
  /** Cache mix: share of requests that repeat a prompt of the pool (the rest are unique). */
  repeatRatio: number;
  slo: Slo;
}

interface Spec {
  /** Undefined: the scenario decides (load shape), or nothing is sent (API_KEY). */
  default: string | undefined;
  doc: string;
}

/** Every setting, its default and what it is for: loadtest/README.md's table says the same. */
export const SETTINGS = {
  TARGET_URL: { default: 'http://127.0.0.1:3000', doc: "the gateway's base URL (the scenarios add /v1/chat/completions)" },
  MODEL: { default: 'mock/mock-1', doc: 'the model asked for; the default is the built-in mock provider, which needs no keys' },
  API_KEY: { default: undefined, doc: 'a gateway key (LLM_HUB_API_KEYS), sent as Authorization: Bearer' },
  VUS: { default: undefined, doc: 'virtual users: the closed-loop scenarios run this many; the arrival-rate ones pre-allocate this many' },
  MAX_VUS: { default: undefined, doc: 'arrival-rate scenarios: at most this many requests in flight (an arrival beyond it is dropped and counted)' },
  RATE: { default: undefined, doc: 'arrival-rate scenarios: requests per second (stress climbs to 4 times it)' },
  DURATION: { default: undefined, doc: 'how long the steady part lasts (k6 duration: 30s, 5m, 1h)' },
  RAMP: { default: undefined, doc: 'how long each ramp lasts' },
  MAX_TOKENS: { default: '64', doc: 'max_tokens of each request' },
  PROMPT_SUFFIX: { default: '', doc: 'text appended to every prompt, e.g. `[[fake latency=500]]` for the fake provider' },
  TIMEOUT: { default: '60s', doc: "a request not answered whole within this fails (k6's own default)" },
  PROMPT_POOL: { default: '10', doc: 'cache mix: distinct prompts the repeated requests cycle through' },
  REPEAT_RATIO: { default: '0.9', doc: 'cache mix: share of requests that repeat a prompt of the pool' },
  SLO_P95_MS: { default: '5000', doc: 'p(95) of non-streamed request durations, ms (the LLMHubLatencyHigh alert)' },
  SLO_P99_MS: { default: '10000', doc: "p(99) of non-streamed request durations, ms (the LLMHubLatencyCritical alert's 10 s)" },
  SLO_ERROR_RATE: { default: '0.01', doc: 'largest share of failed requests (the LLMHubErrorRateHigh alert)' },
  SLO_TTFT_P95_MS: { default: '2000', doc: 'p(95) of the time to first token of streams, ms' },
  SLO_CACHE_HIT_RATE: { default: '0.8', doc: "cache mix: smallest share of cache hits (90 % repeats, less each prompt's first miss)" },
} as const satisfies Record<string, Spec>;

type SettingName = keyof typeof SETTINGS;

/** http(s)://host[:port][/path]: a pattern, since k6's runtime has no URL class. */
const HTTP_URL = /^https?:\/\/([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?(\/[^\s?#]*)?$/;

/** A setting with a value that cannot be used: the message names it. */
export class SettingsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SettingsError';
  }
}

export function settingsFrom(env: Env): Settings {
  const raw = (name: SettingName): string | undefined => {
    const value = env[name];
    return value === undefined || value === '' ? SETTINGS[name].default : value;
  };
  const fail = (name: SettingName, value: string, what: string): never => {
    throw new SettingsError(`${name}: ${JSON.stringify(value)} is not ${what}`);
  };
  const number = (name: SettingName, what: string, ok: (n: number) => boolean): number | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    const n = Number(value);
    return Number.isFinite(n) && ok(n) ? n : fail(name, value, what);
  };
  const count = (name: SettingName) => number(name, 'a whole number above 0', (n) => Number.isInteger(n) && n > 0);
  const positive = (name: SettingName) => number(name, 'a number above 0', (n) => n > 0);
  const share = (name: SettingName) => number(name, 'a number from 0 to 1', (n) => n >= 0 && n <= 1) as number;
  const duration = (name: SettingName): string | undefined => {
    const value = raw(name);
    if (value === undefined) return undefined;
    return durationMs(value) !== undefined ? value : fail(name, value, 'a k6 duration such as 30s, 5m or 1h30m');
  };

  const targetUrl = raw('TARGET_URL') as string;
  if (!HTTP_URL.test(targetUrl)) fail('TARGET_URL', targetUrl, 'an http:// or https:// URL');
  return {
    targetUrl: targetUrl.replace(/\/+$/, ''),
    model: raw('MODEL') as string,
    apiKey: raw('API_KEY'),
    vus: count('VUS'),
    maxVus: count('MAX_VUS'),
    rate: positive('RATE'),
    duration: duration('DURATION'),
    ramp: duration('RAMP'),
    maxTokens: count('MAX_TOKENS') as number,
    promptSuffix: raw('PROMPT_SUFFIX') as string,
    timeout: duration('TIMEOUT') as string,
    promptPool: count('PROMPT_POOL') as number,
    repeatRatio: share('REPEAT_RATIO'),
    slo: {
      p95Ms: positive('SLO_P95_MS') as number,
      p99Ms: positive('SLO_P99_MS') as number,
      errorRate: share('SLO_ERROR_RATE'),
      ttftP95Ms: positive('SLO_TTFT_P95_MS') as number,
      cacheHitRate: share('SLO_CACHE_HIT_RATE'),
    },
  };
}
