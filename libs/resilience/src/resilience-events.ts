import { EventChannel } from '@llm-connector-hub/core';

/**
 * What the resilience layer does, as events, so observability (metrics, logs) can export them
 * without the policies knowing about Prometheus. Listeners are called synchronously; keep them
 * cheap.
 */
export type ResilienceEvent =
  | { type: 'retry'; provider: string; model: string; attempt: number; delayMs: number; reason: string }
  | { type: 'retry_budget_exhausted'; provider: string; model: string }
  | { type: 'fallback'; fromProvider: string; fromModel: string; toProvider: string; toModel: string; reason: string }
  | { type: 'breaker_state'; provider: string; model: string; state: 'closed' | 'open' | 'half_open' }
  | { type: 'rejected'; provider: string; model: string; by: 'breaker' | 'bulkhead' }
  | { type: 'timeout'; provider: string; model: string; kind: 'attempt' | 'first_token' }
  | { type: 'bulkhead_queue'; provider: string; executing: number; queued: number };

export type ResilienceListener = (event: ResilienceEvent) => void;

export class ResilienceEvents extends EventChannel<ResilienceEvent> {}
