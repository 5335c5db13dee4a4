import { setTimeout as delay } from 'node:timers/promises';
import { Agent, fetch } from 'undici';

/**
 * Steady traffic from the host to a gateway (through a NodePort), for the cluster specs that
 * disrupt the gateway's pods (a rolling upgrade, an eviction) and must show that no caller
 * notices: closed-loop workers sending chat completions, and SSE streams that each take a few
 * seconds, started one after another so that some are always in flight. Every prompt is unique
 * (a cached answer would not reach a pod's drain). Runs until stop(); then reports every failure
 * with what the caller saw.
 *
 * One connection per request (no keep-alive): kube-proxy keeps an established connection on its
 * pod after the pod has left the Service, and a keep-alive connection that is idle at the instant
 * the draining gateway closes its listener (Node closes idle connections then) can be reset under a
 * request already on the wire. That race is known and not fixed yet (docs/kubernetes.md, "The chart
 * in the cluster"); with a connection per request, every request tests what the Service and the
 * pod's preStop and drain do, and nothing else.
 */

export interface TrafficOptions {
  /** The gateway's base URL. */
  baseUrl: string;
  model: string;
  /** Concurrent workers sending plain (JSON) completions in a loop. */
  workers: number;
  /** Concurrent workers each streaming one answer after another. */
  streams: number;
  /** Appended to every prompt: the fake provider's directives (a slow stream, a latency). */
  plainSuffix: string;
  streamSuffix: string;
  /** Extra request headers (a gateway key). */
  headers?: Record<string, string>;
  /** A request not answered whole within this fails (a drain must never stall a caller). */
  timeoutMs: number;
  /** Stream worker i starts i x this late, so that the streams do not all end (and restart) together. */
  streamStaggerMs: number;
}

export interface TrafficReport {
  requests: number;
  streams: number;
  /** Streams that ended with `data: [DONE]` after at least one content chunk, with a 200. */
  streamsDone: number;
  failures: string[];
}

const CHAT_PATH = '/v1/chat/completions';

export interface Traffic {
  /** Resolves once each worker has had at least one answer (the traffic reaches the pods). */
  started: Promise<void>;
  /** Stops the workers after their current request and reports. */
  stop(): Promise<TrafficReport>;
}

export function startTraffic(options: TrafficOptions): Traffic {
  const report: TrafficReport = { requests: 0, streams: 0, streamsDone: 0, failures: [] };
  let stopping = false;
  let sequence = 0;
  const headers = { 'content-type': 'application/json', ...options.headers };
  const dispatcher = new Agent({ pipelining: 0 });
  const body = (stream: boolean) =>
    JSON.stringify({
      model: options.model,
      stream,
      messages: [{ role: 'user', content: `traffic ${process.pid}-${++sequence} ${stream ? options.streamSuffix : options.plainSuffix}` }],
    });

  const plain = async (): Promise<void> => {
    report.requests++;
    const res = await fetch(`${options.baseUrl}${CHAT_PATH}`, { method: 'POST', headers, body: body(false), signal: AbortSignal.timeout(options.timeoutMs), dispatcher });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`completion answered ${res.status}: ${text.slice(0, 300)}`);
    if ((JSON.parse(text) as { object?: string }).object !== 'chat.completion') throw new Error(`completion answered 200 without a completion: ${text.slice(0, 300)}`);
  };

  const stream = async (): Promise<void> => {
    report.streams++;
    const res = await fetch(`${options.baseUrl}${CHAT_PATH}`, { method: 'POST', headers, body: body(true), signal: AbortSignal.timeout(options.timeoutMs), dispatcher });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`stream answered ${res.status}: ${text.slice(0, 300)}`);
    const events = text.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6));
    const chunks = events.filter((e) => e !== '[DONE]').map((e) => JSON.parse(e) as { error?: unknown; choices?: Array<{ delta?: { content?: string } }> });
    const errors = chunks.filter((c) => c.error !== undefined);
    if (errors.length > 0) throw new Error(`stream carried an error event: ${JSON.stringify(errors[0])}`);
    if (!chunks.some((c) => c.choices?.[0]?.delta?.content)) throw new Error(`stream had no content: ${text.slice(0, 300)}`);
    if (events.at(-1) !== '[DONE]') throw new Error(`stream ended without [DONE] after ${events.length} events: ...${text.slice(-300)}`);
    report.streamsDone++;
  };

  let startedCount = 0;
  const total = options.workers + options.streams;
  let markStarted!: () => void;
  const started = new Promise<void>((resolveStarted) => (markStarted = resolveStarted));
  const worker = async (step: () => Promise<void>, delayMs = 0): Promise<void> => {
    await delay(delayMs);
    let first = true;
    while (!stopping) {
      try {
        await step();
      } catch (error) {
        // fetch's errors come from another realm than the test's: no instanceof.
        const { message, cause } = error as { message?: string; cause?: unknown };
        report.failures.push(`${new Date().toISOString()} ${message ?? String(error)}${cause ? ` (${String(cause)})` : ''}`);
      }
      if (first && ++startedCount === total) markStarted();
      first = false;
    }
  };
  const workers = [...Array.from({ length: options.workers }, () => worker(plain)), ...Array.from({ length: options.streams }, (_, i) => worker(stream, i * options.streamStaggerMs))];

  return {
    started,
    async stop() {
      stopping = true;
      await Promise.all(workers);
      await dispatcher.close();
      return report;
    },
  };
}
