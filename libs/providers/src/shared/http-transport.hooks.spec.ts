/**
 * The transport's two extension points against a real local server: the request-signing hook
 * (what it is given, and that its headers are what is sent) and a stream format other than SSE.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpTransport, type OutgoingRequest } from './http-transport';
import type { StreamDecoder, StreamFormat } from './stream-format';

let server: Server;
let origin: string;
let received: { url: string; headers: IncomingHttpHeaders; body: string }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (part: Buffer) => (body += part.toString('utf8')));
    req.on('end', () => {
      received.push({ url: req.url ?? '', headers: req.headers, body });
      if (req.headers.accept === 'application/x-lines') {
        res.writeHead(200, { 'content-type': 'application/x-lines' });
        res.write('one\ntw');
        res.end('o\nthree\n');
      } else {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{"ok":true}');
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  received = [];
});

/** Newline-separated text: a stand-in for a provider whose stream is not SSE. */
const LINES: StreamFormat<string> = {
  accept: 'application/x-lines',
  createDecoder: (): StreamDecoder<string> => {
    let rest = '';
    const decoder = {
      progress: 0,
      push(chunk: Uint8Array) {
        const parts = (rest + Buffer.from(chunk).toString('utf8')).split('\n');
        rest = parts.pop() ?? '';
        decoder.progress += parts.length;
        return parts;
      },
      end: () => (rest ? [rest] : []),
    };
    return decoder;
  },
};

function transport(sign?: (request: OutgoingRequest) => Promise<Record<string, string>>): HttpTransport {
  return new HttpTransport({ provider: 'test', baseUrl: `${origin}/base`, headers: { 'x-static': 's' }, secrets: [], errorMessage: () => undefined, sign });
}

describe('the signing hook', () => {
  it('gets the method, the full URL, the headers and the exact body, and its headers are the ones sent', async () => {
    const seen: OutgoingRequest[] = [];
    const signed = transport(async (request) => {
      seen.push(request);
      return { ...request.headers, 'x-signature': `sig(${request.body.length})` };
    });
    try {
      await expect(signed.postJson('/chat?x=1', { hello: 'wörld' }, new AbortController().signal)).resolves.toEqual({ ok: true });
    } finally {
      await signed.close();
    }
    expect(seen).toHaveLength(1);
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url.href).toBe(`${origin}/base/chat?x=1`);
    expect(seen[0].headers).toMatchObject({ 'x-static': 's', 'content-type': 'application/json' });
    expect(received[0].body).toBe(seen[0].body);
    expect(received[0].headers['x-signature']).toBe(`sig(${seen[0].body.length})`);
  });

  it('signs stream requests too, with the stream format\'s accept header', async () => {
    const signed = transport(async (request) => ({ ...request.headers, 'x-signature': request.headers.accept }));
    const controller = new AbortController();
    try {
      const response = await signed.postStream('/stream', {}, controller.signal, LINES);
      const events: string[] = [];
      for await (const event of signed.events(response.body, LINES)) events.push(event);
      expect(events).toEqual(['one', 'two', 'three']);
    } finally {
      await signed.close();
    }
    expect(received[0].headers['x-signature']).toBe('application/x-lines');
  });
});
