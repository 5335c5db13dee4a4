import pino, { type Logger } from 'pino';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { LineBatcher } from './line-batcher';

/**
 * The process's one pino logger: JSON lines on stdout with a text level and the time in epoch ms. Nest's
 * own messages (through nestjs-pino), lifecycle events, resilience events and the per-request
 * line all go through it.
 *
 * Written asynchronously in batches (LineBatcher, then sonic-boom): a line never blocks the event
 * loop on a slow stdout pipe, and lines go out in writes of at least 12 KiB (sonic-boom writes at
 * most 16 KiB at once), or every 200 ms when traffic is light, rather than one write per line:
 * each async write is a trip through libuv's thread pool, which cost more CPU per request than
 * building the line itself. What is collected is written when the process exits; `flush()`
 * sends it at once (after the listening line, for instance).
 *
 * No pino `redact`: its wildcard paths cost several times the rest of the line, a large share of a
 * request's whole CPU budget (docs/benchmarks.md#measurements-behind-code-choices). Secrets are kept out by
 * construction instead: request headers are never logged, the config printed at debug is masked
 * (maskSecrets), and upstream error messages are cleaned of keys before they become errors. The
 * e2e specs check the whole output for the keys they configure.
 */
export function createRootLogger(level: GatewayConfig['server']['logLevel'], destination: pino.DestinationStream = defaultDestination()): RootLogger {
  const logger = pino(
    {
      level,
      base: undefined,
      // Epoch milliseconds (pino's default): a cheaper line than an ISO string.
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  return { logger, destination };
}

/**
 * The logger and the stream it writes to, made together once. The request observer writes its
 * ready-made lines (in pino's format) to the same stream, so they stay in order with the
 * logger's, without reaching into the logger for it.
 */
export interface RootLogger {
  logger: Logger;
  destination: pino.DestinationStream;
}

const FLUSH_INTERVAL_MS = 200;
const BATCH_CHARS = 12 * 1024;

function defaultDestination(): LineBatcher {
  let batcher: LineBatcher | undefined;
  // Registered before the destination exists, so before the exit handlers pino registers for it
  // (which flush it, and end it at beforeExit): the collected lines reach it first.
  process.once('beforeExit', () => batcher?.drain());
  process.once('exit', () => batcher?.drain());
  // Async writes; the batching is LineBatcher's (see why there), so sonic-boom writes each batch at once.
  const destination = pino.destination({ dest: 1, sync: false, minLength: 0 });
  batcher = new LineBatcher(destination, BATCH_CHARS);
  const flusher = batcher;
  // Unref'd: it never keeps the process alive. Flushing nothing does nothing; after the stream is
  // closed (at exit) flush throws, which is of no interest then.
  setInterval(() => {
    try {
      flusher.flush();
    } catch {
      // closed
    }
  }, FLUSH_INTERVAL_MS).unref();
  return batcher;
}
