/**
 * requestWholeBody against a real HTTP server on 127.0.0.1: real sockets, chunked bodies and
 * aborts. (The providers' own specs cover the error mapping built on top of it.)
 */
import { getEventListeners } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { requestWholeBody, ResponseTooLargeError } from './whole-body-request';

let server: Server;
let pool: Pool;
let answer: (req: IncomingMessage, res: ServerResponse) => void;
/** Resolves when the server sees the current request's socket close. */
let socketClosed: Promise<void>;

beforeAll(async () => {
  server = createServer((req, res) => {
    socketClosed = new Promise((done) => req.socket.once('close', () => done()));
    answer(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
});

afterAll(async () => {
  await pool.close();
  server.closeAllConnections();
  await new Promise((done) => server.close(done));
});

const post = (signal: AbortSignal, maxBytes?: number) =>
  requestWholeBody(pool, { path: '/v1/chat', method: 'POST', body: '{"q":1}', headers: { 'content-type': 'application/json' } }, signal, maxBytes);

describe('requestWholeBody', () => {
  it('returns the status, the headers and a body sent in many chunks, multi-byte characters split across them', async () => {
    const text = `{"answer":"${'é😀'.repeat(2000)}"}`;
    const bytes = Buffer.from(text);
    answer = (req, res) => {
      res.writeHead(201, { 'content-type': 'application/json', 'retry-after': '7' });
      // Odd-sized pieces cut through the two- and four-byte characters.
      for (let i = 0; i < bytes.length; i += 333) res.write(bytes.subarray(i, i + 333));
      res.end();
    };
    const response = await post(new AbortController().signal);
    expect(response.status).toBe(201);
    expect(response.headers['retry-after']).toBe('7');
    expect(response.text).toBe(text);
  });

  it('returns an error status with its body (the caller maps it)', async () => {
    answer = (_req, res) => {
      res.writeHead(429, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"slow down"}}');
    };
    const response = await post(new AbortController().signal);
    expect([response.status, response.text]).toEqual([429, '{"error":{"message":"slow down"}}']);
  });

  it('rejects with the signal reason when aborted while the answer is coming, and closes the upstream socket', async () => {
    let answering!: () => void;
    const partialSent = new Promise<void>((done) => (answering = done));
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"partial":', () => answering());
    };
    const controller = new AbortController();
    const reason = new Error('deadline passed');
    const pending = post(controller.signal);
    await partialSent;
    controller.abort(reason);
    await expect(pending).rejects.toBe(reason);
    await socketClosed;
  });

  it('never sends a request whose signal is already aborted', async () => {
    let received = 0;
    answer = (_req, res) => {
      received += 1;
      res.end('{}');
    };
    const controller = new AbortController();
    const reason = new Error('client left');
    controller.abort(reason);
    await expect(post(controller.signal)).rejects.toBe(reason);
    expect(received).toBe(0);
  });

  it('stops reading an answer as soon as it passes maxBytes, and closes the upstream socket', async () => {
    let sent = 0;
    let finished = false;
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const piece = Buffer.alloc(16 * 1024, 'x');
      // With backpressure, so the server cannot run ahead far beyond what the client read.
      const write = () => {
        while (sent < 64 * 1024 * 1024) {
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', write);
        }
        finished = true;
        res.end();
      };
      write();
    };
    await expect(post(new AbortController().signal, 256 * 1024)).rejects.toEqual(new ResponseTooLargeError(256 * 1024));
    await socketClosed;
    expect(finished).toBe(false);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
  });

  it('refuses an answer whose Content-Length is over maxBytes before reading its body', async () => {
    answer = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) });
      res.write('{"a":'); // and never more: only the announced length can end this
    };
    await expect(post(new AbortController().signal, 1024 * 1024)).rejects.toBeInstanceOf(ResponseTooLargeError);
    await socketClosed;
  });

  it('returns an answer of exactly maxBytes', async () => {
    const text = `{"a":"${'y'.repeat(1000 - 8)}"}`;
    answer = (_req, res) => res.end(text);
    await expect(post(new AbortController().signal, 1000)).resolves.toMatchObject({ status: 200, text });
  });

  it('leaves no abort listener on the signal once the answer is in or has failed', async () => {
    const signal = new AbortController().signal;
    answer = (_req, res) => res.end('{"ok":true}');
    await post(signal);
    await post(signal);
    answer = (req) => req.socket.destroy();
    await expect(post(signal)).rejects.toThrow();
    answer = (_req, res) => res.end('x'.repeat(100));
    await expect(post(signal, 10)).rejects.toBeInstanceOf(ResponseTooLargeError);
    expect(getEventListeners(signal, 'abort')).toHaveLength(0);
  });
});
