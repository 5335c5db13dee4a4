/** The secrets of the config's own sections (gateway keys, Redis and metrics credentials, an `Authorization` header). */
const CONFIG_SECRET_KEYS = ['apiKeys', 'password', 'token', 'authorization'];

/**
 * A copy of a config (or any JSON value) with every secret replaced, safe to log or print.
 * `secretKeys` adds the provider plugins' secret fields (libs/assembly passes them).
 */
export function maskSecrets<T>(value: T, secretKeys: Iterable<string> = []): T {
  // Lower case: keys are compared case-insensitively, since HTTP header names (`Authorization`,
  // `X-Api-Key`) are written in any case in the config.
  const keys = new Set([...CONFIG_SECRET_KEYS, ...secretKeys].map((key) => key.toLowerCase()));
  return mask(value, false, keys) as T;
}

function mask(value: unknown, secret: boolean, keys: ReadonlySet<string>): unknown {
  if (Array.isArray(value)) return value.map((item) => mask(item, secret, keys));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = mask(item, secret || keys.has(key.toLowerCase()), keys);
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
