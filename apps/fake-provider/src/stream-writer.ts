import type { OutgoingHttpHeaders } from 'node:http';
import type { Directives } from './directives';
import type { Exchange } from './exchange';
import { sleep, untilGone } from './http-io';
import { writePadded } from './padding';

/** One pre-formatted stream frame (an SSE event, a JSON-array element, or a binary event stream message). */
export interface StreamFrame {
  data: string | Uint8Array;
  /** Carries model output (text or tool-call arguments): counted by cut-after / error-after. */
  content: boolean;
}

export interface StreamOptions {
  headers: OutgoingHttpHeaders;
  /** What `error-after` writes before ending the response: the format's in-stream error. */
  errorFrame: string | Uint8Array;
  /** chunk-delay, cut-after, error-after, stall-after, stall and drip shape the stream. */
  directives?: Directives;
}

/**
 * One frame per chunk, built once for a run of identical chunks and shared: `size` padding repeats
 * one string thousands of times, and building each of its frames anew would cost the fake seconds
 * and hundreds of megabytes before the first byte.
 */
export function framesOf<T>(chunks: readonly T[], build: (chunk: T) => StreamFrame): StreamFrame[] {
  const frames: StreamFrame[] = [];
  let previous: T | undefined;
  let frame: StreamFrame | undefined;
  for (const chunk of chunks) {
    if (frame === undefined || chunk !== previous) frame = build(chunk);
    previous = chunk;
    frames.push(frame);
  }
  return frames;
}

export const SSE_HEADERS: OutgoingHttpHeaders = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
};

type Fault = 'cut' | 'error' | 'stall';

/**
 * Writes frames with backpressure (awaits 'drain' when the socket buffer is full) and stops
 * as soon as the client is gone. The frames are built up front by each format: they are few,
 * and planning them apart from the I/O keeps every format's fault injection identical.
 */
export async function writeStream(ex: Exchange, frames: StreamFrame[], options: StreamOptions): Promise<void> {
  const { res } = ex;
  if (ex.gone) return;
  const d = options.directives;
  let totalContent = 0;
  for (const frame of frames) if (frame.content) totalContent++;
  // The earliest fault asked for (cut before error before stall at the same count). One asked
  // after more chunks than exist fires after the last one, still before the end marker.
  let fault: Fault | undefined;
  let faultAt = -1;
  for (const [kind, after] of [['cut', d?.cutAfter], ['error', d?.errorAfter], ['stall', d?.stallAfter]] as const) {
    if (after === undefined) continue;
    const at = Math.min(after, totalContent);
    if (fault === undefined || at < faultAt) [fault, faultAt] = [kind, at];
  }
  const fire = async (): Promise<void> => {
    if (fault === 'cut') ex.cutConnection();
    else if (fault === 'error') res.end(options.errorFrame);
    else await untilGone(ex);
  };
  const delay = d?.chunkDelay ?? 0;

  ex.writeHead(200, options.headers);
  if (d?.stall) return untilGone(ex);
  let seen = 0;
  for (let i = 0; i < frames.length; i++) {
    const frame = frames[i];
    if (frame.content && seen === faultAt) return fire();
    if (delay > 0 && i > 0) await sleep(ex, delay);
    await writePadded(ex, frame.data, d?.eventSize ?? 0, d?.drip);
    if (ex.gone) return;
    if (frame.content && ++seen === faultAt) return fire();
  }
  if (fault !== undefined) return fire(); // no content frames at all
  res.end();
}
