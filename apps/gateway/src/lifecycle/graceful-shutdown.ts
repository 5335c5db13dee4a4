import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import { HubError } from '@llm-connector-hub/core';
import { RequestTracker } from './request-tracker';

/**
 * SIGTERM/SIGINT: readiness turns 503 and new model requests get 503 at once; the listener
 * closes; in-flight requests and SSE streams get `drainTimeoutMs` to finish, after which they are
 * aborted (streams end with an error event); then keep-alive sockets are closed and the process
 * exits 0, so Kubernetes sees a clean stop.
 */
export function installGracefulShutdown(app: INestApplication, drainTimeoutMs: number, log: (msg: string, extra?: object) => void): void {
  const tracker = app.get(RequestTracker);
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    tracker.draining = true;
    log('draining', { signal, inFlight: tracker.inFlight, drainTimeoutMs });
    const timer = setTimeout(() => {
      log('drain timeout: aborting in-flight requests', { inFlight: tracker.inFlight });
      tracker.abortAll(
        new HubError({ status: 503, type: 'api_error', code: 'shutting_down', message: 'The gateway shut down before the request finished.' }),
      );
    }, drainTimeoutMs);
    const closing = app.close();
    await tracker.whenIdle();
    clearTimeout(timer);
    fastify.server.closeAllConnections();
    await closing;
    log('stopped', { signal });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}
