import { connect, type Socket } from 'node:net';

export interface RawExchange {
  /** Everything the server sent, as text. */
  text: string;
  /** The status line and headers, lower-cased names. */
  status: number;
  headers: Record<string, string>;
  /** What followed the blank line after the headers (chunked framing left as sent). */
  body: string;
  /** How the socket ended: the server closed it, it was reset, or our own time bound ran out. */
  ended: 'closed' | 'reset' | 'time-bound';
}

export interface RawOptions {
  /** Stop reading once this text has arrived (the socket is then closed by us), instead of waiting for the server to close. */
  until?: string;
  /** Upper bound on the whole exchange; reaching it is reported as `ended: 'time-bound'`, never thrown. */
  boundMs?: number;
  /** Writes the request in these pieces, waiting for `between()` before each next one. */
  pieces?: string[];
  between?: () => Promise<void>;
}

/**
 * Sends bytes exactly as given over a fresh TCP connection and collects the answer, for what
 * fetch cannot express: HTTP/1.0, odd headers, bodies that stop half-way.
 */
export function rawRequest(port: number, request: string, options: RawOptions = {}): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket: Socket = connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let settled = false;
    const finish = (ended: RawExchange['ended']) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseExchange(Buffer.concat(received).toString('latin1'), ended));
    };
    const timer = setTimeout(() => finish('time-bound'), options.boundMs ?? 15_000);
    socket.on('data', (data: Buffer) => {
      received.push(data);
      if (options.until && Buffer.concat(received).toString('latin1').includes(options.until)) finish('closed');
    });
    socket.on('end', () => finish('closed'));
    socket.on('close', () => finish('closed'));
    socket.on('error', (error: NodeJS.ErrnoException) => finish(error.code === 'ECONNRESET' ? 'reset' : 'closed'));
    socket.once('connect', () => {
      void (async () => {
        const pieces = options.pieces ?? [request];
        for (const [index, piece] of pieces.entries()) {
          if (index > 0) await options.between?.();
          if (socket.destroyed) return;
          socket.write(piece);
        }
      })();
    });
  });
}

function parseExchange(text: string, ended: RawExchange['ended']): RawExchange {
  const split = text.indexOf('\r\n\r\n');
  const head = split === -1 ? text : text.slice(0, split);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { text, status: Number(/^HTTP\/\d\.\d (\d{3})/.exec(statusLine)?.[1] ?? 0), headers, body: split === -1 ? '' : text.slice(split + 4), ended };
}

/** A POST with a JSON body, in HTTP/1.x wire form. */
export function rawPost(path: string, body: string, options: { version?: '1.0' | '1.1'; headers?: Record<string, string> } = {}): string {
  const headers = { host: '127.0.0.1', 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), ...options.headers };
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}`);
  return `POST ${path} HTTP/${options.version ?? '1.1'}\r\n${lines.join('\r\n')}\r\n\r\n${body}`;
}
