/**
 * Section 4 of `make bench`: what the resilience pipeline costs when nothing fails. Two fresh
 * gateways in front of the same fake provider, one with `resilience: { enabled: false }` and one
 * with the default config (enabled), get the same non-streaming throughput run in turn (off, on,
 * then on, off, ...); the figures are the medians per variant. Before that, each gateway gets one
 * request that the fake fails with 503, to show from the fake's side which one retries.
 */
import { withCpu } from './cpu';
import { chatRequestsSeenByFake } from './fake-stats';
import { CHAT_PATH, loadProblems, runLoad, type Target } from './load';
import { startGateway, type Child } from './processes';
import { resilienceCost, runOrder, type ResilienceCost, type ResilienceRun, type ResilienceVariant } from './resilience-report';

export interface ResilienceCostOptions {
  connections: number;
  durationS: number;
  warmupS: number;
  /** Runs per variant (at least 1). */
  rounds: number;
  /** Node flags for both gateways. */
  nodeArgs: string[];
  /** The healthy request. */
  body: string;
  /** A request the fake answers with 503. */
  failingBody: string;
  log: (message: string) => void;
}

/**
 * Default node flags for both gateways. Without this one, each gateway process settles at random
 * into one of two GC modes (V8 pretenures a per-request allocation site, or not) that differ by
 * 15-25 µs of CPU per request for its whole life: far more than the cost being measured. See
 * docs/benchmarks.md. BENCH_RESILIENCE_NODE_ARGS overrides it ('' = plain node).
 */
export const RESILIENCE_NODE_ARGS = '--no-allocation-site-pretenuring';

const VARIANTS: ResilienceVariant[] = ['off', 'on'];
const CONFIG: Record<ResilienceVariant, Record<string, unknown>> = { off: { resilience: { enabled: false } }, on: {} };

/** Upstream requests the fake saw while the gateway answered one request. */
async function upstreamAttempts(fake: Child, target: Target, body: string): Promise<number> {
  const before = await chatRequestsSeenByFake(fake.url);
  const response = await fetch(target.url + CHAT_PATH, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    signal: AbortSignal.timeout(30_000),
  });
  await response.text();
  if (response.status === 200) throw new Error(`${target.name} answered 200 to a request the fake fails with 503`);
  return (await chatRequestsSeenByFake(fake.url)) - before;
}

/**
 * Runs the section. The gateways it starts are pushed onto `children` (the caller stops them);
 * anything that makes the figures untrustworthy is pushed onto `problems`.
 */
export async function measureResilienceCost(fake: Child, options: ResilienceCostOptions, children: Child[], problems: string[]): Promise<ResilienceCost> {
  const started = await Promise.all(
    VARIANTS.map((v) => startGateway(fake.url, options.nodeArgs, { name: `gateway (resilience ${v})`, config: CONFIG[v] })),
  );
  children.push(...started);
  const gateways = { off: started[0], on: started[1] };
  const targets: Record<ResilienceVariant, Target> = {
    off: { name: 'gateway (resilience off)', url: gateways.off.url },
    on: { name: 'gateway (resilience on)', url: gateways.on.url },
  };
  options.log(`resilience: off ${gateways.off.url} (pid ${gateways.off.pid}), on ${gateways.on.url} (pid ${gateways.on.pid})`);

  const attemptsFor503 = { off: 0, on: 0 };
  for (const v of VARIANTS) attemptsFor503[v] = await upstreamAttempts(fake, targets[v], options.failingBody);
  if (attemptsFor503.off !== 1) problems.push(`resilience off: ${attemptsFor503.off} upstream attempts for one 503, expected 1`);
  if (attemptsFor503.on < 2) problems.push(`resilience on: ${attemptsFor503.on} upstream attempt(s) for one 503; the pipeline does not retry, so it seems not to be installed`);

  const fakeBefore = await chatRequestsSeenByFake(fake.url);
  let answered = 0;
  const measure = async (v: ResilienceVariant, durationS: number) => {
    const pids = { bench: process.pid, fake: fake.pid, gateway: gateways[v].pid };
    const { result, cpuS } = await withCpu(pids, () => runLoad(targets[v], { connections: options.connections, durationS, body: options.body }));
    problems.push(...loadProblems(result));
    answered += result.statusCodes['200'] ?? 0;
    return { ...result, cpuS };
  };

  if (options.warmupS > 0) {
    for (const v of VARIANTS) {
      options.log(`resilience warm-up: ${v}, ${options.connections} connections, ${options.warmupS} s`);
      await measure(v, options.warmupS);
    }
  }
  const runs: ResilienceRun[] = [];
  for (const [index, v] of runOrder(options.rounds).entries()) {
    options.log(`resilience run ${index + 1}/${2 * options.rounds}: ${v}, ${options.connections} connections, ${options.durationS} s`);
    const load = await measure(v, options.durationS);
    const own = load.cpuS.gateway;
    runs.push({ variant: v, order: index + 1, load, cpuUsPerRequest: own == null || load.responses === 0 ? null : (own * 1e6) / load.responses });
  }

  const seen = (await chatRequestsSeenByFake(fake.url)) - fakeBefore;
  if (seen < answered) problems.push(`resilience section: the fake saw ${seen} chat requests, fewer than the ${answered} answered`);
  const { connections, durationS, rounds, nodeArgs } = options;
  return resilienceCost({ connections, durationS, rounds, nodeArgs, attemptsFor503, runs });
}
