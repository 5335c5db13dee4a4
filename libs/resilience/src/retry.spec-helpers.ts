import { HubError, type ChatCompletionChunk, type LlmProvider } from '@llm-connector-hub/core';
import { ConnectorHub, type ConnectorHubOptions, type HubMiddleware } from '@llm-connector-hub/hub';
import { ResilienceEvents, type ResilienceEvent } from './resilience-events';

/** Test-only helpers shared by the retry, timeout and bulkhead specs (not exported from index). */

export { ScriptedProvider, collect, gate } from './scripted-provider.spec-helpers';

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

/** Resolves with what the promise rejected with, as a HubError; fails the test when it resolves or rejects otherwise. */
export async function hubErrorOf(promise: Promise<unknown>): Promise<HubError> {
  let error: unknown;
  try {
    await promise;
  } catch (caught) {
    error = caught;
  }
  if (error === undefined) throw new Error('expected the call to fail, but it succeeded');
  if (!(error instanceof HubError)) throw new Error(`expected a HubError, got ${String(error)}`);
  return error;
}

export const ask = (provider = 'p', content = 'hi') => ({ provider, model: 'm', messages: [{ role: 'user' as const, content }] });

export const textOf = (chunks: ChatCompletionChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
