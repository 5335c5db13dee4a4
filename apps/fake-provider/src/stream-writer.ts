import type { OutgoingHttpHeaders } from 'node:http';
import type { Exchange } from './exchange';
import { drained, sleep } from './http-io';

/** One pre-formatted stream frame (an SSE event, or a JSON-array element). */
export interface StreamFrame {
  data: string;
  /** Carries model output (text or tool-call arguments): counted by cut-after / error-after. */
  content: boolean;
}

export interface StreamOptions {
  headers: OutgoingHttpHeaders;
  /** Milliseconds between frames. */
  delayMs?: number;
  /** Close the connection after this many content frames, without the end marker. */
  cutAfter?: number;
  /** After this many content frames, write `errorFrame` and end the response. */
  errorAfter?: number;
  errorFrame: string;
}

export const SSE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

/**
 * Writes frames with backpressure (awaits 'drain' when the socket buffer is full) and stops
 * as soon as the client is gone. The frames are built up front by each format: they are few,
 * and planning them apart from the I/O keeps every format's fault injection identical.
 */
export async function writeStream(ex: Exchange, frames: StreamFrame[], options: StreamOptions): Promise<void> {
  const { res } = ex;
  if (ex.gone) return;
  let totalContent = 0;
  for (const frame of frames) if (frame.content) totalContent++;
  // A fault asked after more chunks than exist fires after the last one, still before the end marker.
  const cutAt = options.cutAfter === undefined ? -1 : Math.min(options.cutAfter, totalContent);
  const errorAt = options.errorAfter === undefined ? -1 : Math.min(options.errorAfter, totalContent);
  const faultAt = cutAt === -1 ? errorAt : errorAt === -1 ? cutAt : Math.min(cutAt, errorAt);
  const fault = (): void => {
    if (faultAt === cutAt) ex.cutConnection();
    else res.end(options.errorFrame);
  };
  const delay = options.delayMs ?? 0;

  ex.writeHead(200, options.headers);
  let seen = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (frame.content && seen === faultAt) return fault();
    if (delay > 0 && i > 0) await sleep(ex, delay);
    if (ex.gone) return;
    if (!ex.write(frame.data)) await drained(ex);
    if (ex.gone) return;
    if (frame.content && ++seen === faultAt) return fault();
  }
  if (faultAt !== -1) return fault(); // no content frames at all
  res.end();
}
