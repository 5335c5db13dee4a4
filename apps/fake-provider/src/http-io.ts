import type { OutgoingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';
import type { Exchange } from './exchange';

export type BodyResult =
  | { ok: true; body: unknown; /** The body as received, for a signature over it. */ text: string }
  | { ok: false; status: number; message: string; /** The text, when it was read but is not JSON. */ raw?: string };

/**
 * Reads and parses a JSON body. Resolves `undefined` when the client went away mid-body
 * (there is nobody left to answer).
 */
export function readJsonBody(req: Readable & { readonly complete: boolean }, maxBytes: number): Promise<BodyResult | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) tooLarge = true;
      else chunks.push(chunk);
    });
    req.once('end', () => {
      if (tooLarge) return resolve({ ok: false, status: 413, message: `Request body exceeds ${maxBytes} bytes` });
      const text = chunks.length === 1 ? chunks[0].toString('utf8') : Buffer.concat(chunks).toString('utf8');
      try {
        resolve({ ok: true, body: JSON.parse(text), text });
      } catch {
        resolve({ ok: false, status: 400, message: 'Request body is not valid JSON', raw: text });
      }
    });
    req.once('close', () => {
      if (!req.complete) resolve(undefined);
    });
    req.once('error', () => resolve(undefined));
  });
}

export const JSON_TYPE = 'application/json; charset=utf-8';

/** Sends a JSON response with content-length (no chunked encoding for one-shot answers). */
export function sendJson(ex: Exchange, status: number, payload: unknown, headers?: OutgoingHttpHeaders): void {
  if (ex.gone) return;
  const body = JSON.stringify(payload);
  ex.writeHead(status, {
    ...headers,
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(body),
  });
  ex.res.end(body);
}

/** Waits `ms`, waking early when the connection closes so no timer outlives its client. */
export function sleep(ex: Exchange, ms: number): Promise<void> {
  if (ms <= 0 || ex.gone) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      ex.res.off('close', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    ex.res.once('close', done);
  });
}

/** Writes `data` with backpressure, or one byte every `dripMs`; stops as soon as the client has gone. */
export async function writeOut(ex: Exchange, data: string | Uint8Array, dripMs?: number): Promise<void> {
  if (ex.gone) return;
  if (dripMs === undefined) {
    if (!ex.write(data)) await drained(ex);
    return;
  }
  const bytes = Buffer.from(data);
  for (let i = 0; i < bytes.length && !ex.gone; i++) {
    ex.write(bytes.subarray(i, i + 1));
    await sleep(ex, dripMs);
  }
}

/** Sends what was written so far (at least the headers), then waits for the client to give up. */
export function untilGone(ex: Exchange): Promise<void> {
  if (ex.gone) return Promise.resolve();
  ex.flushHeaders();
  return new Promise((resolve) => ex.res.once('close', () => resolve()));
}

/** Waits for the socket to drain, or for the connection to close (a 'drain' that never comes). */
export function drained(ex: Exchange): Promise<void> {
  if (ex.gone) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      ex.res.off('drain', done);
      ex.res.off('close', done);
      resolve();
    };
    ex.res.once('drain', done);
    ex.res.once('close', done);
  });
}
