import type { IncomingMessage, ServerResponse } from 'node:http';

/** One request/response pair plus what the handlers learn about its connection. */
export class Exchange {
  /** The response's connection is closed: by the client, or by this server on purpose. */
  gone = false;
  /** This server destroyed the socket on purpose (`reset`, `cut-after`); not a client abort. */
  destroyedByServer = false;
  private params: URLSearchParams | undefined;

  constructor(
    readonly req: IncomingMessage,
    readonly res: ServerResponse,
    /** Path without the query string. */
    readonly path: string,
    private readonly query: string,
  ) {
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

  /**
   * Closes the connection mid-response without the body's terminator. `end` (not `destroy`)
   * first flushes what was already written, so the client does receive the chunks before the cut.
   */
  cutConnection(): void {
    this.destroyedByServer = true;
    const socket = this.req.socket;
    socket.end(() => socket.destroy());
  }

  /** Destroys the socket without a response or mid-response. */
  destroySocket(rst: boolean): void {
    this.destroyedByServer = true;
    const socket = this.req.socket;
    // resetAndDestroy sends a TCP RST, so the client sees ECONNRESET like a real reset.
    if (rst && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }
}
