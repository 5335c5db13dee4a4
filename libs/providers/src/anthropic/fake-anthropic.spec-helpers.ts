/** A local stand-in for api.anthropic.com for the provider's specs (test support, excluded from the build). */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Seen {
  method?: string;
  url?: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
  /** The body as received. */
  raw?: string;
}

export interface Reply {
  status: number;
  contentType: string;
  body: string;
  /** Bytes per write, to send the body in small network pieces. */
  pieceSize?: number;
}

/** A local stand-in for api.anthropic.com that records the request and plays back a fixture. */
export async function fakeAnthropic(reply: Reply): Promise<{ url: string; seen: Seen; server: Server }> {
  const seen: Seen = { headers: {}, body: {} };
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (part: Buffer) => (raw += part.toString('utf8')));
    req.on('end', () => void answer());
    const answer = async () => {
      Object.assign(seen, { method: req.method, url: req.url, headers: req.headers, body: JSON.parse(raw), raw });
      res.writeHead(reply.status, { 'content-type': reply.contentType });
      const bytes = Buffer.from(reply.body, 'utf8');
      const size = reply.pieceSize ?? bytes.length;
      for (let offset = 0; offset < bytes.length; offset += size) {
        res.write(bytes.subarray(offset, offset + size));
        await new Promise((resolve) => setImmediate(resolve));
      }
      res.end();
    };
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen, server };
}
