import type { Exchange } from './exchange';
import { writeOut } from './http-io';

/**
 * Stands in a reply for its padding (`size`, `event-size`): the writers put the padding in its
 * place piece by piece while writing, so the fake never builds a padded answer of gigabytes, and
 * sends it the way a server streaming a long body would. JSON-safe as it is.
 */
export const PADDING_MARKER = '<<fake-padding>>';
/** Padding text: a piece written at a time, and a stream's padding chunk (one event each). */
export const PADDING_PIECE = 'x'.repeat(16 * 1024);

/** Writes `data` with `padBytes` of padding in place of its PADDING_MARKER (none: `data` as it is). */
export async function writePadded(ex: Exchange, data: string | Uint8Array, padBytes: number, dripMs?: number): Promise<void> {
  // Binary frames (AWS event streams) carry no padding marker.
  const at = typeof data === 'string' ? data.indexOf(PADDING_MARKER) : -1;
  if (typeof data !== 'string') return writeOut(ex, data, dripMs);
  if (at === -1) return writeOut(ex, data, dripMs);
  await writeOut(ex, data.slice(0, at), dripMs);
  for (let left = padBytes; left > 0 && !ex.gone; left -= PADDING_PIECE.length) {
    await writeOut(ex, left >= PADDING_PIECE.length ? PADDING_PIECE : PADDING_PIECE.slice(0, left), dripMs);
  }
  await writeOut(ex, data.slice(at + PADDING_MARKER.length), dripMs);
}
