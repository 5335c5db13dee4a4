import type { IncomingMessage, OutgoingHttpHeaders, ServerResponse } from 'node:http';
import { constants as http2Constants, Http2ServerResponse, type Http2ServerRequest } from 'node:http2';

/** A request from either listener: HTTP/1.1 (node:http) or cleartext HTTP/2 (node:http2's compatibility API). */
export type FakeRequest = IncomingMessage | Http2ServerRequest;
export type FakeResponse = ServerResponse | Http2ServerResponse;
export type FakeProtocol = 'http/1.1' | 'h2';

/** One request/response pair plus what the handlers learn about its connection. */
export class Exchange {
  /** The response's connection is closed: by the client, or by this server on purpose. */
  gone = false;
  /** This server destroyed the socket on purpose (`reset`, `cut-after`); not a client abort. */
  destroyedByServer = false;
  readonly protocol: FakeProtocol;
  private params: URLSearchParams | undefined;

  constructor(
    readonly req: FakeRequest,
    readonly res: FakeResponse,
    /** Path without the query string. */
    readonly path: string,
    private readonly query: string,
  ) {
    this.protocol = res instanceof Http2ServerResponse ? 'h2' : 'http/1.1';
    res.once('close', () => {
      this.gone = true;
    });
  }

  /** A query parameter; the query string is parsed only when a route asks. */
  queryParam(name: string): string | null {
    if (this.query.length === 0) return null;
    this.params ??= new URLSearchParams(this.query);
    return this.params.get(name);
  }

  header(name: string): string | undefined {
    const value = this.req.headers[name];
    return Array.isArray(value) ? value[0] : value;
  }

  // The two response types take the same arguments, but TypeScript cannot call a union of their overloads.
  writeHead(status: number, headers: OutgoingHttpHeaders): void {
    if (this.res instanceof Http2ServerResponse) this.res.writeHead(status, headers);
    else this.res.writeHead(status, headers);
  }

  /** Writes a chunk of the body; false when the caller should wait for 'drain'. */
  write(chunk: string | Uint8Array): boolean {
    return this.res instanceof Http2ServerResponse ? this.res.write(chunk) : this.res.write(chunk);
  }

  /** Sends the headers now, before any of the body (a stalling upstream). HTTP/2's writeHead already has. */
  flushHeaders(): void {
    if (!(this.res instanceof Http2ServerResponse)) this.res.flushHeaders();
  }

  /** The response was sent whole (not cut by either side). */
  finished(): boolean {
    if (!(this.res instanceof Http2ServerResponse)) return this.res.writableFinished;
    // Over HTTP/2 a reset stream also reads as writableFinished: the stream's reset code tells.
    return this.res.writableEnded && this.res.stream.rstCode === http2Constants.NGHTTP2_NO_ERROR;
  }

  /**
   * Ends the response mid-way without the body's terminator, after what was already written.
   * HTTP/1.1: `end` (not `destroy`) first flushes that, then the connection closes. HTTP/2: the
   * stream ends (END_STREAM) there; a reset could overtake the data frames still queued.
   */
  cutConnection(): void {
    this.destroyedByServer = true;
    if (this.res instanceof Http2ServerResponse) {
      this.res.end();
      return;
    }
    const socket = this.req.socket;
    socket.end(() => socket.destroy());
  }

  /** Drops the exchange without a response or mid-response: the socket (HTTP/1.1) or the stream (HTTP/2, a reset). */
  destroySocket(rst: boolean): void {
    this.destroyedByServer = true;
    if (this.res instanceof Http2ServerResponse) {
      // The session carries other streams: only this one is reset.
      this.res.stream.close(http2Constants.NGHTTP2_INTERNAL_ERROR);
      return;
    }
    const socket = this.req.socket;
    // resetAndDestroy sends a TCP RST, so the client sees ECONNRESET like a real reset.
    if (rst && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }
}
