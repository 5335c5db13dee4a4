import type { CacheEvent, CacheEvents } from '@llm-connector-hub/cache';
import type { ResilienceEvent, ResilienceEvents } from '@llm-connector-hub/resilience';
import type { GatewayMetrics } from './gateway-metrics';

/**
 * Exports what the resilience layer does as metrics. Returns the unsubscribe function. Events
 * without a metric in the contract (retry_budget_exhausted) are left to the logs.
 */
export function exportResilienceEvents(events: ResilienceEvents, metrics: GatewayMetrics): () => void {
  const m = metrics.resilience;
  return events.on((event: ResilienceEvent) => {
    switch (event.type) {
      case 'retry':
        return m.retry(event.provider, event.model);
      case 'fallback':
        return m.fallback(event.fromProvider, event.toProvider);
      case 'breaker_state':
        return m.breakerState(event.provider, event.model, event.state);
      case 'rejected':
        return m.rejected(event.provider, event.by);
      case 'timeout':
        return m.upstreamTimeout(event.provider, event.kind);
      case 'bulkhead_queue':
        return m.bulkhead(event.provider, event.executing, event.queued);
      default:
        return;
    }
  });
}

/**
 * Exports what the response cache does as metrics. Returns the unsubscribe function. `stored`
 * and `coalesced` have no metric in the contract.
 */
export function exportCacheEvents(events: CacheEvents, metrics: GatewayMetrics): () => void {
  const m = metrics.cache;
  return events.on((event: CacheEvent) => {
    switch (event.type) {
      case 'lookup':
        return m.lookup(event.result, event.tier);
      case 'error':
        return m.error(event.operation);
      case 'health':
        return m.redisHealth(event.status === 'ok');
      default:
        return;
    }
  });
}
