/**
 * Each provider's error body, keyed by HTTP status the way the real APIs key them, so the
 * gateway's error mapping is exercised against the shapes it will meet in production.
 */
import { requestId } from './ids';

/** OpenAI: `{error:{message,type,param,code}}`. */
export function openaiErrorBody(status: number, message: string, code?: string | null): unknown {
  let type = 'invalid_request_error';
  let defaultCode: string | null = null;
  if (status === 401) defaultCode = 'invalid_api_key';
  else if (status === 404) defaultCode = 'model_not_found';
  else if (status === 429) {
    type = 'requests';
    defaultCode = 'rate_limit_exceeded';
  } else if (status >= 500) type = 'server_error';
  // A spent quota: the same 429 as a rate limit, told apart by its type and code.
  if (code === 'insufficient_quota') type = 'insufficient_quota';
  return { error: { message, type, param: null, code: code === undefined ? defaultCode : code } };
}

/** Azure OpenAI: the OpenAI envelope, but `code` is the status as a string and there is no type. */
export function azureErrorBody(status: number, message: string): unknown {
  return { error: { code: String(status), message } };
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

export function anthropicErrorType(status: number): string {
  return ANTHROPIC_TYPES[status] ?? (status >= 500 ? 'api_error' : 'invalid_request_error');
}

/** Anthropic: `{type:'error',error:{type,message},request_id}`. */
export function anthropicErrorBody(status: number, message: string): unknown {
  return { type: 'error', error: { type: anthropicErrorType(status), message }, request_id: requestId() };
}

const GOOGLE_STATUSES: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  401: 'UNAUTHENTICATED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  409: 'ABORTED',
  429: 'RESOURCE_EXHAUSTED',
  499: 'CANCELLED',
  500: 'INTERNAL',
  501: 'UNIMPLEMENTED',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
};

/** Gemini (google.rpc.Status over HTTP): `{error:{code,message,status}}`. */
export function geminiErrorBody(status: number, message: string): unknown {
  return {
    error: {
      code: status,
      message,
      status: GOOGLE_STATUSES[status] ?? (status >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION'),
    },
  };
}
