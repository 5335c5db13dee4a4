import type { Directives } from './directives';
import type { Exchange } from './exchange';
import { JSON_TYPE, sendJson, untilGone, writeOut } from './http-io';
import { PADDING_MARKER, PADDING_PIECE } from './reply';

/**
 * Sends a whole (non-stream) answer, misbehaving as the directives ask: `stall` sends the headers
 * and then nothing, `size` writes the padding where the reply text holds PADDING_MARKER (chunked,
 * without Content-Length, as a server that streams its body would), `drip` sends one byte at a
 * time. Without them, a plain sendJson.
 */
export async function sendAnswer(ex: Exchange, payload: unknown, d: Directives | undefined): Promise<void> {
  if (d === undefined || (!d.stall && d.size === undefined && d.drip === undefined)) return sendJson(ex, 200, payload);
  if (ex.gone) return;
  ex.res.writeHead(200, { 'content-type': JSON_TYPE });
  if (d.stall) return untilGone(ex);
  const body = JSON.stringify(payload);
  const at = body.indexOf(PADDING_MARKER);
  if (at === -1) {
    await writeOut(ex, body, d.drip);
  } else {
    const head = body.slice(0, at);
    const tail = body.slice(at + PADDING_MARKER.length);
    await writeOut(ex, head, d.drip);
    let left = (d.size ?? 0) - head.length - tail.length;
    for (; left > 0 && !ex.gone; left -= PADDING_PIECE.length) {
      await writeOut(ex, left >= PADDING_PIECE.length ? PADDING_PIECE : PADDING_PIECE.slice(0, left), d.drip);
    }
    await writeOut(ex, tail, d.drip);
  }
  if (!ex.gone) ex.res.end();
}
