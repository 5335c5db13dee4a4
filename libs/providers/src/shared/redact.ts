/**
 * Removes secrets from text that came from upstream (some providers echo part of a bad key in
 * their error message) before it can reach a client, a log line or a metric.
 */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length < 4) continue;
    out = out.split(secret).join('[REDACTED]');
  }
  // Provider key shapes that may be partially echoed (OpenAI `sk-...`, Anthropic `sk-ant-...`, Google `AIza...`).
  return out.replace(KEY_PATTERN, '[REDACTED]');
}

const KEY_PATTERN = /\b(sk-[A-Za-z0-9_*-]{6,}|AIza[0-9A-Za-z_-]{10,})/g;
