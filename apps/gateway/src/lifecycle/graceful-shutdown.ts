import type { INestApplication } from '@nestjs/common';
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayErrors } from '../common/gateway-errors';
import { RequestTracker } from './request-tracker';

/**
 * After the drain time, how long aborted requests get to write their answer (a 503, or a
 * stream's error event) before the connections are closed anyway: those answers are a few
 * hundred bytes, but a client that does not read must not hold the exit forever.
 */
const ANSWER_GRACE_MS = 2_000;

/**
 * SIGTERM/SIGINT: readiness turns 503; the listener closes; requests still arriving on open
 * connections are answered with `Connection: close`; in-flight requests and SSE streams (those
 * late ones included) get `drainTimeoutMs` to finish, after which they are
 * aborted: each gets an answer (a 503 `shutting_down`, or an error event ending its stream),
 * and the process waits for those answers to be out. Then the remaining connections are closed
 * and the process exits 0, so Kubernetes sees a clean stop.
 */
export function installGracefulShutdown(app: INestApplication, drainTimeoutMs: number, log: (msg: string, extra?: object) => void): void {
  const tracker = app.get(RequestTracker);
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    tracker.draining = true;
    // A request can still arrive on a connection opened before the listener closed: kube-proxy keeps
    // an established connection on its pod after the pod has left the Service. It is answered as
    // usual (a 503 would fail a caller who did nothing wrong), with `Connection: close`, so that the
    // client's next request opens a connection to another pod and the drain stays bounded.
    fastify.server.on('request', closeAfterAnswer);
    log('draining', { signal, inFlight: tracker.inFlight, drainTimeoutMs });
    const closing = app.close();
    if (!(await settlesWithin(tracker.whenIdle(), drainTimeoutMs))) {
      log('drain timeout: aborting in-flight requests', { inFlight: tracker.inFlight });
      tracker.abortAll(GatewayErrors.shuttingDown());
      if (!(await settlesWithin(tracker.whenIdle(), ANSWER_GRACE_MS))) log('closing connections whose answer is not out', { inFlight: tracker.inFlight });
    }
    fastify.server.closeAllConnections();
    await closing;
    log('stopped', { signal });
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

function closeAfterAnswer(_request: IncomingMessage, response: ServerResponse): void {
  if (!response.headersSent) response.setHeader('connection', 'close');
}

/** Whether the promise settled within the time (the timer is cancelled when it does). */
async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  const timer = new AbortController();
  try {
    return await Promise.race([promise.then(() => true), delay(ms, false, { signal: timer.signal })]);
  } finally {
    timer.abort();
  }
}
