import { errorDefinition } from './error-catalogue';

/**
 * Domain errors with a stable string code and an HTTP status. One exception filter in the
 * gateway maps them to OpenAI's `{ "error": { message, type, param, code } }`. What a code
 * means (status, type, retryable, counted by the breaker) is in the catalogue
 * (error-catalogue.ts); build errors with hubError() or the factories, not by hand.
 */
export type HubErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'permission_error'
  | 'not_found_error'
  | 'rate_limit_error'
  | 'insufficient_quota'
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

  /**
   * True when the same request may succeed if sent again (retry and fallback act on it), as the
   * catalogue says for this code. A code the catalogue does not know (an embedder's own) is not.
   */
  get retryable(): boolean {
    return errorDefinition(this.code)?.retryable ?? false;
  }

  /** True when another target of an alias may succeed where this one failed (fallback acts on it), as the catalogue says. */
  get canFallBack(): boolean {
    const definition = errorDefinition(this.code);
    return definition?.fallback ?? definition?.retryable ?? false;
  }

  /**
   * True when this failure says the upstream is unhealthy, so the circuit breaker counts it, as
   * the catalogue says for this code. A code the catalogue does not know counts when its status is 5xx.
   */
  get countsAgainstBreaker(): boolean {
    return errorDefinition(this.code)?.countsAgainstBreaker ?? this.status >= 500;
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
