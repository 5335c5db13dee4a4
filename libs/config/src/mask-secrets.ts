// Lower case: keys are compared case-insensitively, since HTTP header names (`Authorization`,
// `X-Api-Key`) are written in any case in the config.
const SECRET_KEYS = new Set(['apikey', 'apikeys', 'password', 'token', 'authorization', 'api-key', 'x-api-key', 'x-goog-api-key']);

/** A copy of a config (or any JSON value) with every secret replaced, safe to log or print. */
export function maskSecrets<T>(value: T): T {
  return mask(value, false) as T;
}

function mask(value: unknown, secret: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => mask(item, secret));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = mask(item, secret || SECRET_KEYS.has(key.toLowerCase()));
    return out;
  }
  if (secret && typeof value === 'string') return '***';
  // A password inside a URL (redis://:secret@host:6379) is as secret as a password field.
  if (typeof value === 'string' && value.includes('@')) return maskUrlPassword(value);
  return value;
}

function maskUrlPassword(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return value;
  }
  if (!url.password) return value;
  url.password = '***';
  return url.toString();
}
