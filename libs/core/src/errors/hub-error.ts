/**
 * Domain errors with a stable string code and an HTTP status. One exception filter in the
 * gateway maps them to OpenAI's `{ "error": { message, type, param, code } }`.
 */
export type HubErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'api_error'
  | 'timeout_error';

export interface HubErrorOptions {
  status: number;
  type: HubErrorType;
  code: string;
  message: string;
  param?: string | null;
  /** Seconds the client should wait before retrying (sent as Retry-After). */
  retryAfterSeconds?: number;
  /** The provider instance whose failure this is, when it came from upstream. */
  provider?: string;
  /** The HTTP status the provider answered with, when there was one. */
  upstreamStatus?: number;
  cause?: unknown;
}

export class HubError extends Error {
  readonly status: number;
  readonly type: HubErrorType;
  readonly code: string;
  readonly param: string | null;
  readonly retryAfterSeconds?: number;
  readonly provider?: string;
  readonly upstreamStatus?: number;

  constructor(options: HubErrorOptions) {
    super(options.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'HubError';
    this.status = options.status;
    this.type = options.type;
    this.code = options.code;
    this.param = options.param ?? null;
    this.retryAfterSeconds = options.retryAfterSeconds;
    this.provider = options.provider;
    this.upstreamStatus = options.upstreamStatus;
  }

  /** True when the same request may succeed if sent again (used by retry and fallback). */
  get retryable(): boolean {
    if (this.code === 'upstream_timeout' || this.code === 'upstream_connection_error') return true;
    const s = this.upstreamStatus;
    return s === 408 || s === 409 || s === 429 || (s !== undefined && s >= 500);
  }
}

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null };
}

export function toOpenAIErrorBody(error: HubError): OpenAIErrorBody {
  return { error: { message: error.message, type: error.type, param: error.param, code: error.code } };
}

export function isHubError(error: unknown): error is HubError {
  return error instanceof HubError;
}
