import type { IncomingHttpHeaders } from 'node:http';
import type { Dispatcher } from 'undici';

/** A whole upstream answer: status, headers and the body as text. */
export interface WholeResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * Sends one request through undici's `dispatch` and collects the whole answer, for the calls
 * whose body is read in full (non-stream completions, embeddings). Streams keep `request()`.
 *
 * Why not `request()` and `body.text()`: `request()` wraps every answer in a RequestHandler and
 * a BodyReadable stream, and much of that outlives a scavenge: with this handler far less survives
 * and the scavenge pauses shrink, in a bare client loop and in the whole gateway alike
 * (`--trace-gc-nvp`; figures in docs/benchmarks.md#measurements-behind-code-choices).
 * No library offers this small collector, hence this file.
 *
 * Memory is bounded by `maxBytes`: an answer announcing more (Content-Length) is refused before its
 * body is read, and one that grows past it is aborted at once (undici then destroys the socket) and
 * what was collected is let go. undici's own `maxResponseSize` is a pool-wide setting, and the same
 * pool carries streams, which may be longer than any whole answer.
 *
 * Rejects with ResponseTooLargeError, undici's error, or the signal's reason once the signal
 * aborted: the caller maps them.
 */
export function requestWholeBody(
  dispatcher: Dispatcher,
  options: Dispatcher.DispatchOptions,
  signal: AbortSignal,
  maxBytes: number = Number.POSITIVE_INFINITY,
): Promise<WholeResponse> {
  return new Promise((resolve, reject) => {
    dispatcher.dispatch(options, new WholeBodyHandler(signal, maxBytes, resolve, reject));
  });
}

/** The answer is larger than the collector's `maxBytes`. */
export class ResponseTooLargeError extends Error {
  constructor(readonly limitBytes: number) {
    super(`The response is larger than ${limitBytes} bytes.`);
    this.name = 'ResponseTooLargeError';
  }
}

class WholeBodyHandler implements Dispatcher.DispatchHandler {
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private chunks: Buffer[] = [];
  private bytes = 0;
  private controller?: Dispatcher.DispatchController;
  /** Aborts the upstream request (undici then destroys its socket) when the caller's signal fires. */
  private readonly onAbort = () => this.controller?.abort(this.signal.reason as Error);

  constructor(
    private readonly signal: AbortSignal,
    private readonly maxBytes: number,
    private readonly resolve: (response: WholeResponse) => void,
    private readonly reject: (error: unknown) => void,
  ) {}

  onRequestStart(controller: Dispatcher.DispatchController): void {
    if (this.signal.aborted) {
      controller.abort(this.signal.reason as Error);
      return;
    }
    this.controller = controller;
    this.signal.addEventListener('abort', this.onAbort, { once: true });
  }

  onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    this.status = statusCode;
    this.headers = headers;
    if (Number(headers['content-length']) > this.maxBytes) controller.abort(new ResponseTooLargeError(this.maxBytes));
  }

  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes) {
      this.chunks = [];
      controller.abort(new ResponseTooLargeError(this.maxBytes));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    const chunks = this.chunks;
    this.chunks = [];
    const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks, this.bytes).toString('utf8');
    this.resolve({ status: this.status, headers: this.headers, text });
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.chunks = [];
    this.reject(error);
  }
}
