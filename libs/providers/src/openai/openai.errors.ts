import type { UpstreamErrorReason } from '@llm-connector-hub/core';

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

/**
 * OpenAI answers a spent credit or a reached spend limit with the same 429 as a rate limit; its
 * error type `insufficient_quota` (or one of the billing codes under it) tells them apart.
 */
const QUOTA_CODES = new Set([
  'insufficient_quota',
  'credit_balance_exhausted',
  'organization_spend_limit_exceeded',
  'project_spend_limit_exceeded',
  'organization_usage_limit_exceeded',
]);

export function openAIErrorReason(body: unknown): UpstreamErrorReason | undefined {
  const error = body !== null && typeof body === 'object' ? (body as { error?: unknown }).error : undefined;
  if (error === null || typeof error !== 'object') return undefined;
  const { type, code } = error as { type?: unknown; code?: unknown };
  return QUOTA_CODES.has(String(type)) || QUOTA_CODES.has(String(code)) ? 'quota_exceeded' : undefined;
}
