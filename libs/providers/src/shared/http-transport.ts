import { Pool } from 'undici';
import type { IncomingHttpHeaders } from 'node:http';
import { HubErrors, upstreamHttpError, HubError } from '@llm-connector-hub/core';
import { retryAfterSeconds } from './retry-after';
import { redactSecrets } from './redact';
import { poolCapacityOptions, type UpstreamPoolSettings } from './upstream-pool';
import { requestWholeBody, type WholeResponse } from './whole-body-request';

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
  /** Reads a human message out of the provider's error body. */
  errorMessage: (body: unknown) => string | undefined;
}

export interface UpstreamResponse {
  status: number;
  headers: IncomingHttpHeaders;
  /** undici's response body, streamed (SSE) with `for await`; an error body is read whole with `text()`. */
  body: AsyncIterable<Uint8Array> & { destroy(error?: Error): unknown; text(): Promise<string> };
}

/**
 * One undici connection pool per provider origin, with keep-alive, sized to carry
 * `maxConcurrent` calls at once (upstream-pool.ts). Maps transport failures to
 * HubErrors: HTTP errors keep their meaning, connection failures become 502, and an aborted
 * signal rethrows the signal's reason so the caller can tell a timeout from a client that left.
 */
export class HttpTransport {
  private readonly pool: Pool;
  private readonly origin: string;
  private readonly basePath: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: HttpTransportOptions) {
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      ...poolCapacityOptions(url, options),
      keepAliveTimeout: options.keepAliveTimeoutMs ?? 60_000,
      // LLM answers can take minutes; the hub's own timeout (an AbortSignal) bounds them.
      headersTimeout: 0,
      bodyTimeout: 0,
    });
    this.headers = { 'content-type': 'application/json', accept: 'application/json', ...options.headers };
  }

  /** POSTs JSON and returns the parsed JSON answer, or throws a HubError. */
  async postJson(path: string, payload: unknown, signal: AbortSignal): Promise<unknown> {
    signal.throwIfAborted();
    let response: WholeResponse;
    try {
      // dispatch with a collecting handler rather than request() and body.text(): far less
      // garbage per call, and far less of it surviving a scavenge (see whole-body-request.ts).
      response = await requestWholeBody(this.pool, { origin: this.origin, path: this.basePath + path, method: 'POST', headers: this.headers, body: JSON.stringify(payload) }, signal);
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

  /** POSTs JSON and returns the open response body of a 2xx answer (an event stream). */
  async postStream(path: string, payload: unknown, signal: AbortSignal): Promise<UpstreamResponse> {
    return this.send(path, payload, signal, { ...this.headers, accept: 'text/event-stream' });
  }

  /** Turns a failure while reading a body into the error the caller should see. */
  failure(error: unknown, signal: AbortSignal): unknown {
    if (signal.aborted) return signal.reason;
    if (error instanceof HubError) return error;
    return HubErrors.upstreamConnection(this.options.provider, error);
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
    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.pool.request({
        path: this.basePath + path,
        method: 'POST',
        headers,
        body: JSON.stringify(payload),
        signal,
      });
    } catch (error) {
      throw this.failure(error, signal);
    }
    if (response.statusCode >= 400) {
      let text = '';
      try {
        text = await response.body.text();
      } catch {
        if (signal.aborted) throw signal.reason;
      }
      throw this.httpError(response.statusCode, response.headers, text);
    }
    return { status: response.statusCode, headers: response.headers, body: response.body };
  }

  /** The HubError for an upstream HTTP error: the provider's own message when it has one, else an excerpt of the body. */
  private httpError(status: number, headers: IncomingHttpHeaders, text: string): HubError {
    let message: string | undefined;
    try {
      message = this.options.errorMessage(JSON.parse(text));
    } catch {
      message = undefined;
    }
    // Redact before truncating: a cut could leave half a key that no longer matches.
    message ??= this.redact(text.trim()).slice(0, 500) || `HTTP ${status}`;
    return upstreamHttpError(this.options.provider, status, this.redact(message), retryAfterSeconds(headers));
  }
}
