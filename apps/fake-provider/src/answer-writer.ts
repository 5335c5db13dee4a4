import type { Directives } from './directives';
import type { Exchange } from './exchange';
import { JSON_TYPE, sendJson, untilGone } from './http-io';
import { PADDING_MARKER, writePadded } from './padding';

/**
 * Sends a whole (non-stream) answer, misbehaving as the directives ask: `stall` sends the headers
 * and then nothing, `size` pads the answer to about that many bytes (chunked, without
 * Content-Length, as a server that streams its body would), `drip` sends one byte at a time.
 * Without them, a plain sendJson.
 */
export async function sendAnswer(ex: Exchange, payload: unknown, d: Directives | undefined): Promise<void> {
  if (d === undefined || (!d.stall && d.size === undefined && d.drip === undefined)) return sendJson(ex, 200, payload);
  if (ex.gone) return;
  ex.writeHead(200, { 'content-type': JSON_TYPE });
  if (d.stall) return untilGone(ex);
  const body = JSON.stringify(payload);
  // `size` is the whole answer's: the padding is what the rest leaves of it.
  await writePadded(ex, body, (d.size ?? 0) - (body.length - PADDING_MARKER.length), d.drip);
  if (!ex.gone) ex.res.end();
}
