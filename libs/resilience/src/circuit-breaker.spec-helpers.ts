import { upstreamHttpError, type HubError, type LlmProvider } from '@llm-connector-hub/core';
import { ConnectorHub, type ConnectorHubOptions, type HubMiddleware } from '@llm-connector-hub/hub';
import { rejectionOf as anyRejectionOf } from '@llm-connector-hub/testing';
import type { BreakerState } from './circuit-state';
import { ResilienceEvents, type ResilienceEvent } from './resilience-events';

/** Test-only helpers shared by the circuit-breaker and fallback specs (not exported from index). */

export { ScriptedProvider, collect, gate } from '@llm-connector-hub/testing';

export const http = (status: number, provider = 'p'): HubError => upstreamHttpError(provider, status, `HTTP ${status} from the fake`);

export const user = [{ role: 'user' as const, content: 'hi' }];

/** A hub with the given providers and middleware, and every resilience event it emits. */
export function hubWith(
  providers: Record<string, LlmProvider>,
  middleware: (events: ResilienceEvents) => HubMiddleware[],
  options: ConnectorHubOptions = {},
): { hub: ConnectorHub; events: ResilienceEvent[] } {
  const bus = new ResilienceEvents();
  const events: ResilienceEvent[] = [];
  bus.on((event) => events.push(event));
  const hub = new ConnectorHub(options);
  for (const [name, provider] of Object.entries(providers)) hub.registerProvider(name, provider);
  for (const layer of middleware(bus)) hub.use(layer);
  return { hub, events };
}

/** What the promise rejected with, typed as the HubError these specs expect; fails the test when it resolves. */
export const rejectionOf = (promise: Promise<unknown>): Promise<HubError> => anyRejectionOf(promise) as Promise<HubError>;

/** Deterministic [0, 1) numbers (mulberry32), for weighted-order statistics. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The state of one provider+model's breaker as its `breaker_state` events tell it ('closed' before any). */
export function breakerState(events: ResilienceEvent[], provider: string, model: string): BreakerState {
  let state: BreakerState = 'closed';
  for (const event of events) if (event.type === 'breaker_state' && event.provider === provider && event.model === model) state = event.state;
  return state;
}
