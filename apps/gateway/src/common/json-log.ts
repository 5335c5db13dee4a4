/**
 * One JSON line per event on stdout. (Structured request logging with pino comes with the
 * observability work; this is for the gateway's own lifecycle and resilience events.)
 */
export function jsonLog(level: string, msg: string, extra: object = {}): void {
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), msg, ...extra })}\n`);
}
