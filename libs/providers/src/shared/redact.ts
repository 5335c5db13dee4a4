/**
 * Removes secrets from text that came from upstream (some providers echo part of a bad key in
 * their error message) before it can reach a client, a log line or a metric.
 *
 * Not only the whole key: any run of the text made of pieces of a key at least
 * `MIN_SECRET_FRAGMENT` characters long is redacted, so an echo that drops the key's prefix, or
 * keeps only its middle, leaks nothing useful. Shorter secrets are redacted where they appear whole.
 */
export const MIN_SECRET_FRAGMENT = 8;

const MARKER = '[REDACTED]';

export function redactSecrets(text: string, secrets: readonly string[]): string {
  // Provider key shapes, often echoed masked (OpenAI `sk-proj-****...Vx9Q`, Anthropic `sk-ant-...`,
  // Google `AIza...`): first, so that a fragment match on the prefix leaves no masked tail behind.
  let out = text.replace(KEY_PATTERN, MARKER);
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = secret.length < MIN_SECRET_FRAGMENT ? out.split(secret).join(MARKER) : redactFragments(out, secret);
  }
  return out;
}

const KEY_PATTERN = /\b(sk-[A-Za-z0-9_*-]{6,}|AIza[0-9A-Za-z_-]{10,})/g;

/**
 * Marks every window of the text equal to some MIN_SECRET_FRAGMENT-character piece of the
 * secret, then replaces each run of marked characters (overlapping windows join up) with the
 * marker. Linear in the text's length.
 */
function redactFragments(text: string, secret: string): string {
  const pieces = new Set<string>();
  for (let i = 0; i + MIN_SECRET_FRAGMENT <= secret.length; i++) pieces.add(secret.slice(i, i + MIN_SECRET_FRAGMENT));
  let out = '';
  let kept = 0;
  let runEnd = -1;
  for (let i = 0; i + MIN_SECRET_FRAGMENT <= text.length; i++) {
    if (!pieces.has(text.slice(i, i + MIN_SECRET_FRAGMENT))) continue;
    if (i > runEnd) {
      // A new run starts: keep the text before it.
      if (runEnd >= 0) out += MARKER;
      out += text.slice(kept, i);
    }
    runEnd = i + MIN_SECRET_FRAGMENT;
    kept = runEnd;
  }
  if (runEnd < 0) return text;
  return out + MARKER + text.slice(kept);
}
