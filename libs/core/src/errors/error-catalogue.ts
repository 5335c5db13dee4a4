import type { HubErrorType } from './hub-error';
import { echo } from './echo';

/**
 * Every error code the hub and the gateway answer with, and everything that follows from the
 * code: the HTTP status, OpenAI's `type`, whether the same request may succeed when sent again
 * (retry acts on it, and `x-should-retry` tells clients) or on another target (fallback), whether it says something
 * about the upstream's health (the circuit breaker counts it), and its message. HubErrors,
 * GatewayErrors, ResilienceErrors and upstreamHttpError build their errors from here, and
 * docs/api.md lists the same table (a unit spec compares them).
 */
export interface ErrorDefinition {
  /** The HTTP status; `'4xx'` when it is the upstream's (or the framework's) own client-error status. */
  status: number | '4xx';
  type: HubErrorType;
  /** The same request may succeed when sent again (retried against the same target, and `x-should-retry`). */
  retryable: boolean;
  /** Another target of an alias may succeed where this one failed; `retryable` when not given. */
  fallback?: boolean;
  /** The failure says the upstream is unhealthy, so the circuit breaker counts it. */
  countsAgainstBreaker: boolean;
  /** The message, or how to write it from the error's parameters. */
  message: string | ((params: never) => string);
}

/** The message of an error relayed from an upstream HTTP answer. */
interface UpstreamAnswer {
  provider: string;
  upstreamStatus: number;
  detail: string;
}
const relayed = ({ provider, upstreamStatus, detail }: UpstreamAnswer): string => `${provider} returned HTTP ${upstreamStatus}: ${detail}`;

/** A client error about the request itself: never retried, never the upstream's health. */
const client = { type: 'invalid_request_error', retryable: false, countsAgainstBreaker: false } as const;
/** The upstream failed in a way another try may not repeat (an outage, a glitch). */
const outage = { retryable: true, countsAgainstBreaker: true } as const;

type Timeout = { provider: string; timeoutMs: number; phase?: 'total' | 'headers' | 'body' } | UpstreamAnswer;

export const ERROR_CATALOGUE = {
  // ---- The request, as the gateway judges it before any upstream call ----
  invalid_request: { ...client, status: 400, message: ({ detail }: { detail: string }) => detail },
  invalid_body: { ...client, status: 400, message: ({ detail }: { detail: string }) => detail },
  invalid_value: { ...client, status: 400, message: ({ detail }: { detail: string }) => detail },
  invalid_model: { ...client, status: 400, message: ({ problem }: { problem: string }) => `model ${problem}.` },
  invalid_url: { ...client, status: 400, message: 'The request URL is not valid (malformed percent-encoding).' },
  malformed_request: { ...client, status: 400, message: 'The request is not valid HTTP.' },
  unsupported_capability: {
    ...client,
    status: 400,
    message: ({ provider, capability }: { provider: string; capability: string }) => `The provider '${provider}' does not support ${capability}.`,
  },
  invalid_api_key: {
    ...client,
    type: 'authentication_error',
    status: 401,
    message: ({ detail }: { detail?: string }) => detail ?? 'Missing or invalid API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
  },
  model_not_found: {
    ...client,
    status: 404,
    message: ({ model }: { model: string }) =>
      `The model '${echo(model)}' does not exist or is not configured on this gateway. GET /v1/models lists the models you can use.`,
  },
  provider_not_found: {
    ...client,
    status: 404,
    message: ({ provider }: { provider: string }) => `The provider '${echo(provider)}' is not configured on this gateway.`,
  },
  /** The Responses API's state: an id the gateway never stored, stored for another key, or expired (docs/api.md). */
  previous_response_not_found: {
    ...client,
    status: 404,
    message: ({ id }: { id: string }) => `Previous response with id '${echo(id)}' not found.`,
  },
  item_not_found: {
    ...client,
    status: 404,
    message: ({ id }: { id: string }) => `Item with id '${echo(id)}' not found.`,
  },
  route_not_found: {
    ...client,
    status: 404,
    /** `only`: what a single-purpose listener (the metrics port) does serve. */
    message: (p: { method: string; url: string } | { only: string }) =>
      'only' in p ? `This port serves ${p.only} only.` : `No route for ${echo(p.method)} ${echo(p.url)}.`,
  },
  method_not_allowed: { ...client, status: 405, message: ({ detail }: { detail: string }) => detail },
  /** The client was too slow to send; sent again, it may arrive in time. */
  request_timeout: { ...client, retryable: true, status: 408, message: 'The request was not received in time: its headers or its body stopped arriving.' },
  payload_too_large: {
    ...client,
    status: 413,
    message: ({ limitBytes }: { limitBytes: number }) => `Request body is larger than the limit of ${limitBytes} bytes.`,
  },
  uri_too_long: { ...client, status: 414, message: 'The request URL is too long.' },
  unsupported_media_type: {
    ...client,
    status: 415,
    message: ({ contentType }: { contentType: string | undefined }) => `Content-Type must be application/json${contentType ? `, got '${contentType}'` : ''}.`,
  },
  headers_too_large: { ...client, status: 431, message: 'The request headers are too large.' },
  /** A 4xx that the web framework raised on one of Nest's routes, under its own status. */
  request_refused: { ...client, status: '4xx', message: ({ detail }: { detail: string }) => detail },
  client_closed_request: { ...client, status: 499, message: 'The client closed the request.' },

  // ---- The gateway itself ----
  /** A failure the gateway did not foresee: another try (on another replica) may not meet it. Never raised inside the hub, so never counted. */
  internal_error: {
    type: 'api_error',
    status: 500,
    retryable: true,
    countsAgainstBreaker: false,
    message: ({ during }: { during?: 'request' | 'stream' | 'metrics' }) =>
      during === 'stream'
        ? 'The gateway failed while streaming.'
        : during === 'metrics'
          ? 'The metrics could not be collected.'
          : 'The gateway failed to handle the request.',
  },
  /** Another replica can answer; it is not the upstream's health. */
  shutting_down: {
    type: 'api_error',
    status: 503,
    retryable: true,
    countsAgainstBreaker: false,
    message: 'The gateway is shutting down; retry on another replica.',
  },
  /** The bulkhead on this replica is full: another target (or a moment later) may have room. Our load, not the upstream's health. */
  gateway_overloaded: {
    type: 'rate_limit_error',
    status: 429,
    retryable: true,
    countsAgainstBreaker: false,
    message: ({ provider }: { provider: string }) => `Too many concurrent requests to provider '${provider}' on this gateway replica; retry shortly.`,
  },
  /** Another target may be closed; counting it would keep the breaker open by its own refusals. */
  circuit_open: {
    type: 'api_error',
    status: 503,
    retryable: true,
    countsAgainstBreaker: false,
    message: ({ provider, model }: { provider: string; model: string }) =>
      `The circuit breaker for ${provider}/${model} is open after repeated upstream failures; retry later.`,
  },

  // ---- The upstream did not answer well ----
  upstream_timeout: {
    ...outage,
    type: 'timeout_error',
    status: 504,
    message: (params: Timeout) => {
      if ('upstreamStatus' in params) return relayed(params);
      const { provider, timeoutMs, phase } = params;
      if (phase === 'headers') return `The provider '${provider}' sent no response headers within ${timeoutMs} ms.`;
      if (phase === 'body') return `The provider '${provider}' sent nothing more of its answer for ${timeoutMs} ms.`;
      return `The provider '${provider}' did not answer within ${timeoutMs} ms.`;
    },
  },
  first_token_timeout: {
    ...outage,
    type: 'timeout_error',
    status: 504,
    message: ({ provider, timeoutMs }: { provider: string; timeoutMs: number }) => `The provider '${provider}' sent no first token within ${timeoutMs} ms.`,
  },
  upstream_connection_error: {
    ...outage,
    type: 'api_error',
    status: 502,
    message: ({ provider, reason }: { provider: string; reason: string }) => `Could not reach the provider '${provider}' (${reason}).`,
  },
  /**
   * An answer the gateway could not read: most often a proxy's error page or a cut body, which
   * the next try (or another target) does not repeat.
   */
  upstream_bad_response: {
    ...outage,
    type: 'api_error',
    status: 502,
    message: ({ provider, detail }: { provider: string; detail: string }) =>
      `The provider '${provider}' sent an answer the gateway could not read: ${detail}.`,
  },
  /** Retried only before the first chunk has reached the caller (see docs/resilience.md). */
  upstream_stream_interrupted: {
    ...outage,
    type: 'api_error',
    status: 502,
    message: ({ provider, detail }: { provider: string; detail: string }) =>
      `The stream from provider '${provider}' ended before it was complete: ${detail}.`,
  },
  /**
   * Asked again, the same request would most likely get as large an answer, downloaded (and paid
   * for) once more; and its size follows from what was asked, so it says nothing of the upstream's health.
   */
  upstream_response_too_large: {
    type: 'api_error',
    status: 502,
    retryable: false,
    countsAgainstBreaker: false,
    message: ({ provider, limitBytes, what }: { provider: string; limitBytes: number; what: 'answer' | 'event' }) =>
      what === 'answer'
        ? `The answer from provider '${provider}' is larger than the gateway's limit of ${limitBytes} bytes (upstream.maxResponseBytes).`
        : `A stream event from provider '${provider}' is larger than the gateway's limit of ${limitBytes} bytes (upstream.maxEventBytes).`,
  },
  /** Any upstream 5xx. */
  upstream_error: { ...outage, type: 'api_error', status: 502, message: relayed },

  // ---- The upstream's own 4xx, passed on ----
  upstream_invalid_request: { ...client, status: 400, message: relayed },
  upstream_authentication_failed: { ...client, type: 'authentication_error', status: 401, message: relayed },
  upstream_permission_denied: { ...client, type: 'permission_error', status: 403, message: relayed },
  upstream_not_found: { ...client, type: 'not_found_error', status: 404, message: relayed },
  /** A conflict (a concurrent update, a lock) clears by itself; it is not an outage. */
  upstream_conflict: { ...client, retryable: true, status: 409, message: relayed },
  upstream_payload_too_large: { ...client, status: 413, message: relayed },
  /**
   * A rate limit is a quota per key, organisation or model over a short window: worth another
   * try after a wait, not an outage (opening the breaker would refuse every caller of the model).
   */
  upstream_rate_limited: { ...client, type: 'rate_limit_error', retryable: true, status: 429, message: relayed },
  /**
   * Credit spent or a spend limit reached (OpenAI's `insufficient_quota`): the same 429 as a rate
   * limit, but no retry helps until someone pays or the month turns, so none is made, and it is
   * not an outage either. Another target (another account or provider) has a quota of its own.
   */
  upstream_quota_exceeded: { ...client, fallback: true, type: 'insufficient_quota', status: 429, message: relayed },
  /** Any other upstream 4xx (402, 451...), under its own status. */
  upstream_client_error: { ...client, status: '4xx', message: relayed },
} as const satisfies Record<string, ErrorDefinition>;

export type ErrorCode = keyof typeof ERROR_CATALOGUE;

/** The parameters an error's message is written from (`undefined` for a fixed text). */
export type ErrorParams<C extends ErrorCode> = (typeof ERROR_CATALOGUE)[C]['message'] extends (params: infer P) => string ? P : undefined;

export function isErrorCode(code: string): code is ErrorCode {
  return Object.hasOwn(ERROR_CATALOGUE, code);
}

/** The catalogue's entry for a code, or undefined for a code it does not know (an embedder's own HubError). */
export function errorDefinition(code: string): ErrorDefinition | undefined {
  return isErrorCode(code) ? ERROR_CATALOGUE[code] : undefined;
}
