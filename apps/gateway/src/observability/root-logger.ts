import pino, { type Logger } from 'pino';
import type { GatewayConfig } from '@llm-connector-hub/config';

/**
 * The process's one pino logger: JSON lines on stdout with a text level and an ISO time. Nest's
 * own messages (through nestjs-pino), lifecycle events, resilience events and the per-request
 * line all go through it.
 *
 * Written asynchronously (sonic-boom): a line never blocks the event loop on a slow stdout pipe,
 * lines written while a write is pending go out together (so batching grows with load), and pino
 * flushes what is buffered when the process exits.
 *
 * Headers that carry keys are redacted wherever they appear, as a second line of defence: the
 * gateway never logs request headers, and upstream error messages are already cleaned of keys.
 */
export function createRootLogger(level: GatewayConfig['server']['logLevel'], destination: pino.DestinationStream = defaultDestination()): Logger {
  return pino(
    {
      level,
      base: undefined,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: {
        paths: ['*.authorization', '*.Authorization', '*["x-api-key"]', '*["api-key"]', '*["x-goog-api-key"]', '*.apiKey', '*.password'],
        censor: '***',
      },
    },
    destination,
  );
}

function defaultDestination(): pino.DestinationStream {
  return pino.destination({ dest: 1, sync: false });
}
