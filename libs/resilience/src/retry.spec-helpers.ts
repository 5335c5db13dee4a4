import type { ChatCompletionChunk, LlmProvider } from '@llm-connector-hub/core';
import { ConnectorHub, type ConnectorHubOptions, type HubMiddleware } from '@llm-connector-hub/hub';
import { ResilienceEvents, type ResilienceEvent } from './resilience-events';

/** Test-only helpers shared by the retry, timeout and bulkhead specs (not exported from index). */

export { ScriptedProvider, collect, gate, hubErrorOf } from '@llm-connector-hub/testing';

/** A hub with the given providers and middleware (first is outermost), and every event emitted. */
export function hubWith(
  providers: Record<string, LlmProvider>,
  middleware: (events: ResilienceEvents) => HubMiddleware[],
  options: ConnectorHubOptions = {},
): { hub: ConnectorHub; events: ResilienceEvents; seen: ResilienceEvent[] } {
  const events = new ResilienceEvents();
  const seen: ResilienceEvent[] = [];
  events.on((event) => seen.push(event));
  const hub = new ConnectorHub(options);
  for (const [name, provider] of Object.entries(providers)) hub.registerProvider(name, provider);
  for (const layer of middleware(events)) hub.use(layer);
  return { hub, events, seen };
}

export const ask = (provider = 'p', content = 'hi') => ({ provider, model: 'm', messages: [{ role: 'user' as const, content }] });

export const textOf = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
