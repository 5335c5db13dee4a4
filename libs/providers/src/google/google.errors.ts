/**
 * The human message inside a Gemini error body: `{ "error": { code, message, status } }`.
 * streamGenerateContent without `alt=sse` answers with a JSON array, so its errors come as
 * `[{ "error": {...} }]`; both shapes are read. The gRPC status name (RESOURCE_EXHAUSTED,
 * INVALID_ARGUMENT, ...) is appended because it often says more than the message.
 */
export function googleErrorMessage(body: unknown): string | undefined {
  const record: unknown = Array.isArray(body) ? body[0] : body;
  if (record === null || typeof record !== 'object') return undefined;
  const error = (record as { error?: unknown }).error;
  if (typeof error === 'string') return error;
  if (error === null || typeof error !== 'object') return undefined;
  const { message, status } = error as { message?: unknown; status?: unknown };
  if (typeof message !== 'string' || message === '') return typeof status === 'string' ? status : undefined;
  return typeof status === 'string' && status !== '' ? `${message} (${status})` : message;
}

/** The HTTP status carried in an error body (`error.code`), when it is one. */
export function googleErrorStatus(body: unknown): number | undefined {
  const record: unknown = Array.isArray(body) ? body[0] : body;
  const code = (record as { error?: { code?: unknown } } | null)?.error?.code;
  return typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599 ? code : undefined;
}
