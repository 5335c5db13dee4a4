/**
 * k6's duration strings ("500ms", "30s", "5m", "1h30m", "1.5s"), which scenario definitions and
 * the DURATION/RAMP/TIMEOUT settings are written in: k6 reads them itself, and the Node runner
 * reads them with this. A bare number is not accepted (k6 would read it as seconds in some places
 * and milliseconds in others).
 */
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const WHOLE = /^(?:\d+(?:\.\d+)?(?:ms|s|m|h))+$/;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };

/** Milliseconds of a k6 duration, or undefined when the text is not one. */
export function durationMs(text: string): number | undefined {
  if (!WHOLE.test(text)) return undefined;
  let total = 0;
  // exec in a loop rather than matchAll: the same code runs in k6's JavaScript runtime.
  const part = new RegExp(PART.source, 'g');
  for (let match = part.exec(text); match !== null; match = part.exec(text)) total += Number(match[1]) * UNIT_MS[match[2]];
  return total;
}

/** A duration for people and for k6: whole units, largest first ("1m30s", "250ms"). */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  let rest = Math.round(ms);
  let out = '';
  for (const unit of ['h', 'm', 's', 'ms']) {
    const size = UNIT_MS[unit];
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return out;
}
