import type { ResilienceEvent, ResilienceEvents } from '@llm-connector-hub/resilience';

type Log = (level: 'info' | 'warn' | 'debug', msg: string, extra: object) => void;

/**
 * Breaker state changes are rare and matter to operators: always logged. Per-request events
 * (retries, fallbacks, rejections) only at debug level, so a failing provider cannot flood the
 * logs; metrics (observability issue) count them instead.
 */
export function logResilienceEvents(events: ResilienceEvents, log: Log, debug: boolean): () => void {
  return events.on((event: ResilienceEvent) => {
    if (event.type === 'breaker_state') {
      log(event.state === 'open' ? 'warn' : 'info', 'circuit breaker state', event);
    } else if (debug && event.type !== 'bulkhead_queue') {
      log('debug', `resilience ${event.type}`, event);
    }
  });
}
