import type { IncomingHttpHeaders } from 'node:http';

const MAX_RETRY_AFTER_SECONDS = 3600;

/**
 * Reads how long the provider asked us to wait: `retry-after-ms` (OpenAI, Azure),
 * `retry-after` in seconds or as an HTTP date. Returns whole seconds, at least 1, capped.
 */
export function retryAfterSeconds(headers: IncomingHttpHeaders, now = Date.now()): number | undefined {
  const ms = headers['retry-after-ms'];
  if (typeof ms === 'string' && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return clamp(Math.ceil(value / 1000));
  }
  const raw = headers['retry-after'];
  if (typeof raw !== 'string' || raw.trim() === '') return undefined;
  const seconds = Number(raw);
  if (Number.isFinite(seconds) && seconds >= 0) return clamp(Math.ceil(seconds));
  const date = Date.parse(raw);
  if (Number.isNaN(date)) return undefined;
  return clamp(Math.ceil((date - now) / 1000));
}

function clamp(seconds: number): number {
  return Math.min(Math.max(seconds, 1), MAX_RETRY_AFTER_SECONDS);
}
