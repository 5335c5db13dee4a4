/** OpenAI's error body: `{ "error": { "message", "type", "param", "code" } }`; some compatible servers send `{ "message" }` or `{ "detail" }`. */
export function openAIErrorMessage(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object') return undefined;
  const record = body as { error?: unknown; message?: unknown; detail?: unknown };
  if (typeof record.error === 'string') return record.error;
  if (record.error && typeof record.error === 'object') {
    const message = (record.error as { message?: unknown }).message;
    if (typeof message === 'string') return message;
  }
  if (typeof record.message === 'string') return record.message;
  if (typeof record.detail === 'string') return record.detail;
  return undefined;
}
