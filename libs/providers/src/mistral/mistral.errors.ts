/**
 * Mistral's error bodies: `{ "object": "error", "message", "type", "param", "code" }`, a 401's
 * `{ "message": "Unauthorized", "request_id" }`, and a 422's validation list
 * `{ "detail": [{ "loc": [...], "msg": "..." }] }` (or `message.detail`).
 */
export function mistralErrorMessage(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as { message?: unknown; detail?: unknown };
  if (typeof record.message === 'string' && record.message !== '') return record.message;
  const detail = record.detail ?? (record.message && typeof record.message === 'object' ? (record.message as { detail?: unknown }).detail : undefined);
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) {
    const parts = detail
      .map((item: { loc?: unknown; msg?: unknown }) => (typeof item?.msg === 'string' ? (Array.isArray(item.loc) ? `${item.loc.join('.')}: ${item.msg}` : item.msg) : undefined))
      .filter((part): part is string => part !== undefined);
    if (parts.length > 0) return parts.join('; ');
  }
  return undefined;
}
