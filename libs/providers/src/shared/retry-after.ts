import type { IncomingHttpHeaders } from 'node:http';

/**
 * An hour: a longer ask (a far-future date) is read as an hour. Inside the gateway the value is
 * only compared with the retry layer's maxRetryAfterMs, so it must stay above any sensible
 * setting of that. What clients are told is capped lower, and sent on 429 and 503 only, where the
 * gateway answers (docs/resilience.md).
 */
const MAX_RETRY_AFTER_SECONDS = 3600;

/** `delay-seconds` (RFC 9110 says digits only; a fraction is tolerated, as OpenAI's SDKs do). */
const DELAY = /^\s*\d+(\.\d+)?\s*$/;
/**
 * The three HTTP-date forms all start with a day name and carry an hh:mm:ss time. Checked before
 * Date.parse, which is lenient enough to read "-5" or "foo 1" as dates.
 */
const HTTP_DATE = /^\s*(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,?\s.*\b\d{2}:\d{2}:\d{2}\b/;

/**
 * Reads how long the provider asked us to wait: `retry-after-ms` (OpenAI, Azure),
 * `retry-after` in seconds or as an HTTP date. Returns whole seconds, at least 1, capped.
 */
export function retryAfterSeconds(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && DELAY.test(ms)) return clamp(Math.ceil(Number(ms) / 1000));
  const raw = headers['retry-after'];
  if (typeof raw !== 'string') return undefined;
  if (DELAY.test(raw)) return clamp(Math.ceil(Number(raw)));
  if (!HTTP_DATE.test(raw)) return undefined;
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return clamp(Math.ceil((date - now) / 1000));
}

function clamp(seconds: number): number {
  return Math.min(Math.max(seconds, 1), MAX_RETRY_AFTER_SECONDS);
}
