import { Pool, errors as undiciErrors } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import {
  HubErrors,
  upstreamHttpError,
  HubError,
  resolveUpstreamLimits,
  SseEventTooLargeError,
  type UpstreamErrorReason,
  type UpstreamLimits,
} from '@llm-connector-hub/core';
import { retryAfterSeconds } from './retry-after';
import { redactSecrets } from './redact';
import { StreamIdleError, decodeUpstream } from './upstream-events';
import type { StreamFormat } from './stream-format';
import { poolCapacityOptions, type UpstreamPoolSettings } from './upstream-pool';
import { requestWholeBody, ResponseTooLargeError, type WholeResponse } from './whole-body-request';

export interface HttpTransportOptions extends UpstreamPoolSettings {
  /** Provider instance name, used in error messages. */
  provider: string;
  /** Base URL, e.g. https://api.openai.com/v1. Paths given to post* are appended to its path. */
  baseUrl: string;
  /** Headers sent on every request (auth, versions). */
  headers: Record<string, string>;
  /** Secrets to scrub from upstream error messages. */
  secrets: readonly string[];
  keepAliveTimeoutMs?: number;
  /** Size and stall bounds; unset fields keep UPSTREAM_DEFAULTS. */
  upstream?: Partial<UpstreamLimits>;
  /** Reads a human message out of the provider's error body. */
  errorMessage: (body: unknown) => string | undefined;
  /** Reads what the provider's error body says beyond its status (a spent quota), if anything. */
  errorReason?: (body: unknown) => UpstreamErrorReason | undefined;
  /** Signs each request just before it is sent (AWS SigV4, say); default: none. */
  sign?: RequestSigner;
}

/** A request as it will go out: what a signature covers. */
export interface OutgoingRequest {
  method: string;
  url: URL;
  /** The headers to send, lower-case names; a signer returns them with its own added. */
  headers: Record<string, string>;
  body: string;
}

/** Returns the headers to send, the signature's included. */
export type RequestSigner = (request: OutgoingRequest) => Promise<Record<string, string>>;

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** undici's response body, streamed (SSE) with `for await`. */
  body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown };
}

/**
 * One undici connection pool per provider origin, with keep-alive, sized to carry
 * `maxConcurrent` calls at once (upstream-pool.ts). Maps transport failures to
 * HubErrors: HTTP errors keep their meaning, connection failures become 502, answers over the
 * size limits 502 `upstream_response_too_large`, stalls 504 `upstream_timeout`, and an aborted
 * signal rethrows the signal's reason so the caller can tell a timeout from a client that left.
 */
export class HttpTransport {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;
  private readonly limits: UpstreamLimits;

  constructor(private readonly options: HttpTransportOptions) {
    this.limits = resolveUpstreamLimits(options.upstream);
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      ...poolCapacityOptions(url, options),
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 60_000,
      // LLM answers can take minutes; the hub's own timeout (an AbortSignal) bounds them, and each
      // request sets its own stall bounds (upstream limits).
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  }

  /**
   * POSTs JSON and returns the parsed JSON answer, or throws a HubError. `extraHeaders` (a native
   * request's dialect headers) go beside the provider's own.
   */
  async postJson(path: string, payload: unknown, signal: AbortSignal, extraHeaders?: Record<string, string>): Promise<unknown> {
    signal.throwIfAborted();
    const body = JSON.stringify(payload);
    let response: WholeResponse;
    try {
      const own = extraHeaders ? { ...this.headers, ...extraHeaders } : this.headers;
      // No await without a signer: the unsigned path stays as it was.
      const headers = this.options.sign ? await this.signed(this.options.sign, path, own, body) : own;
      // dispatch with a collecting handler rather than request() and body.text(): far less
      // garbage per call, and far less of it surviving a scavenge (see whole-body-request.ts).
      // No headers timeout: a JSON answer's headers come with the finished answer (see UpstreamLimits).
      response = await requestWholeBody(
        this.pool,
        {
          origin: this.origin,
          path: this.basePath + path,
          method: 'POST',
          headers,
          body,
          headersTimeout: 0,
          bodyTimeout: this.limits.bodyIdleTimeoutMs,
        },
        signal,
        this.limits.maxResponseBytes,
      );
    } catch (error) {
      throw this.failure(error, signal);
    }
    if (response.status >= 400) throw this.httpError(response.status, response.headers, response.text);
    try {
      return JSON.parse(response.text);
    } catch {
      throw HubErrors.upstreamBadResponse(this.options.provider, 'the body is not valid JSON');
    }
  }

  /** POSTs JSON and returns the open response body of a 2xx answer (a stream in `format`). */
  async postStream(path: string, payload: unknown, signal: AbortSignal, format: StreamFormat<unknown>, extraHeaders?: Record<string, string>): Promise<UpstreamResponse> {
    return this.send(path, payload, signal, { ...this.headers, ...extraHeaders, accept: format.accept });
  }

  /** The events of a stream's body, within the size and idle limits (see decodeUpstream). */
  events<Event>(body: UpstreamResponse['body'], format: StreamFormat<Event>): AsyncGenerator<Event> {
    return decodeUpstream(body, format.createDecoder(this.limits.maxEventBytes), this.limits.bodyIdleTimeoutMs);
  }

  /** Turns a failure while reading a body into the error the caller should see. */
  failure(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason;
    if (error instanceof HubError) return error;
    const provider = this.options.provider;
    if (error instanceof ResponseTooLargeError) return HubErrors.upstreamResponseTooLarge(provider, error.limitBytes, 'answer');
    if (error instanceof SseEventTooLargeError) return HubErrors.upstreamResponseTooLarge(provider, error.limitBytes, 'event');
    if (error instanceof undiciErrors.HeadersTimeoutError) return HubErrors.upstreamStalled(provider, this.limits.streamHeadersTimeoutMs, 'headers');
    if (error instanceof undiciErrors.BodyTimeoutError) return HubErrors.upstreamStalled(provider, this.limits.bodyIdleTimeoutMs, 'body');
    if (error instanceof StreamIdleError) return HubErrors.upstreamStalled(provider, error.timeoutMs, 'body');
    return HubErrors.upstreamConnection(provider, error);
  }

  /** Scrubs this provider's secrets (and key-shaped strings) from text that came from upstream. */
  redact(text: string): string {
    return redactSecrets(text, this.options.secrets);
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  private async send(
    path: string,
    payload: unknown,
    signal: AbortSignal,
    headers: Record<string, string>,
  ): Promise<UpstreamResponse> {
    signal.throwIfAborted();
    const body = JSON.stringify(payload);
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.pool.request({
        path: this.basePath + path,
        method: 'POST',
        headers: this.options.sign ? await this.signed(this.options.sign, path, headers, body) : headers,
        body,
        signal,
        headersTimeout: this.limits.streamHeadersTimeoutMs,
        // Byte-level idleness would stop a reasoning model thinking in silence before its first
        // event; events() applies the idle bound between events instead.
        bodyTimeout: 0,
      });
    } catch (error) {
      throw this.failure(error, signal);
    }
    if (response.statusCode >= 400) {
      let text = '';
      try {
        text = await this.errorText(response.body);
      } catch (error) {
        if (signal.aborted) throw signal.reason;
        if (error instanceof ResponseTooLargeError) throw this.failure(error, signal);
      }
      throw this.httpError(response.statusCode, response.headers, text);
    }
    return { status: response.statusCode, headers: response.headers, body: response.body };
  }

  /** The headers of a request, signed when the provider signs its requests. */
  private signed(sign: RequestSigner, path: string, headers: Record<string, string>, body: string): Promise<Record<string, string>> {
    return sign({ method: 'POST', url: new URL(this.basePath + path, this.origin), headers: { ...headers }, body });
  }

  /** An error answer's body, read whole but no larger than a whole answer may be. */
  private async errorText(body: UpstreamResponse['body']): Promise<string> {
    const chunks: Uint8Array[] = [];
    let bytes = 0;
    for await (const chunk of body) {
      bytes += chunk.length;
      if (bytes > this.limits.maxResponseBytes) {
        body.destroy();
        throw new ResponseTooLargeError(this.limits.maxResponseBytes);
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks, bytes).toString('utf8');
  }

  /** The HubError for an upstream HTTP error: the provider's own message when it has one, else an excerpt of the body. */
  private httpError(status: number, headers: IncomingHttpHeaders, text: string): HubError {
    let message: string | undefined;
    let reason: UpstreamErrorReason | undefined;
    try {
      const body: unknown = JSON.parse(text);
      message = this.options.errorMessage(body);
      reason = this.options.errorReason?.(body);
    } catch {
      message = undefined;
    }
    // Redact before truncating: a cut could leave half a key that no longer matches.
    message ??= this.redact(text.trim()).slice(0, 500) || `HTTP ${status}`;
    return upstreamHttpError(this.options.provider, status, this.redact(message), retryAfterSeconds(headers), reason);
  }
}
