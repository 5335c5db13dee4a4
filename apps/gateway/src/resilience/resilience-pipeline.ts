import type { ConnectorHub } from '@llm-connector-hub/hub';
import type { GatewayConfig } from '@llm-connector-hub/config';
import {
  BulkheadMiddleware,
  CircuitBreakerMiddleware,
  FallbackMiddleware,
  RetryMiddleware,
  TimeoutMiddleware,
  type ResilienceEvents,
  type ResilienceSettings,
} from '@llm-connector-hub/resilience';

/**
 * Installs the resilience layers in the order the design sets (outermost first): fallback over
 * an alias's targets, then per target a bulkhead, a circuit breaker, retries, and per-attempt /
 * first-token timeouts.
 */
export function installResilience(hub: ConnectorHub, config: GatewayConfig, events: ResilienceEvents): void {
  if (!config.resilience.enabled) return;
  const settings = config.resilience as ResilienceSettings;
  hub
    .use(new FallbackMiddleware(settings, events))
    .use(new BulkheadMiddleware(settings, events))
    .use(new CircuitBreakerMiddleware(settings, events))
    .use(new RetryMiddleware(settings, events))
    .use(new TimeoutMiddleware(settings, events));
}
