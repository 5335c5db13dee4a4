/**
 * The runner of an A/B section (4: resilience, 6: observability). Two fresh gateways in front of
 * the same fake provider, 'off' and 'on', that differ only in their section's config keys (both
 * with `cache: { type: none }`, as every bench gateway but section 5's), are first checked to be
 * what they claim, then get a warm-up and the same non-streaming throughput run in turn (off, on,
 * then on, off, ...). Both are stopped at the end of the section.
 */
import { AB_VARIANTS, abCost, gatewayCpuUsPerRequest, runOrder, type AbCost, type AbRun, type AbVariant } from './ab-report';
import { withCpu } from './cpu';
import { chatRequestsSeenByFake } from './fake-stats';
import { loadProblems, runLoad, type Target } from './load';
import { startGateway, stopChecked, type Child } from './processes';

/**
 * Default node flags for both gateways of an A/B section. Without this one, each gateway process
 * settles at random into one of two GC modes (V8 pretenures a per-request allocation site, or not)
 * that differ by 15-25 µs of CPU per request for its whole life: far more than the costs being
 * measured. See docs/benchmarks.md. BENCH_AB_NODE_ARGS overrides it ('' = plain node).
 */
export const AB_NODE_ARGS = '--no-allocation-site-pretenuring';

export interface AbOptions {
  connections: number;
  durationS: number;
  warmupS: number;
  /** Runs per variant (at least 1). */
  rounds: number;
  /** Node flags for both gateways. */
  nodeArgs: string[];
  /** The healthy request of the load runs. */
  body: string;
  log: (message: string) => void;
}

export interface AbGateway {
  child: Child;
  target: Target;
}

export interface AbSection<E extends object> {
  /** The switch, in child names and progress lines: `gateway (resilience off)`. */
  name: string;
  /** Each variant's top-level config keys, over the bench's one-provider uncached config. */
  config: Record<AbVariant, Record<string, unknown>>;
  /**
   * Runs once both gateways listen, before any load: shows that each variant is what it claims,
   * and pushes onto `problems` when it is not. What it returns joins the section's results.
   */
  check(gateways: Record<AbVariant, AbGateway>, problems: string[]): Promise<E>;
}

/**
 * Runs one A/B section. Its gateways are on `children` while they run (the caller stops what is
 * left there on a failure); anything that makes the figures untrustworthy is pushed onto `problems`.
 */
export async function measureAbCost<E extends object>(fake: Child, section: AbSection<E>, options: AbOptions, children: Child[], problems: string[]): Promise<AbCost<E>> {
  const label = (v: AbVariant) => `gateway (${section.name} ${v})`;
  const started = await Promise.all(AB_VARIANTS.map((v) => startGateway(fake.url, options.nodeArgs, { name: label(v), config: section.config[v] })));
  children.push(...started);
  const gateways = {} as Record<AbVariant, AbGateway>;
  AB_VARIANTS.forEach((v, i) => (gateways[v] = { child: started[i], target: { name: label(v), url: started[i].url } }));
  options.log(`${section.name}: ${AB_VARIANTS.map((v) => `${v} ${gateways[v].child.url} (pid ${gateways[v].child.pid})`).join(', ')}`);

  const evidence = await section.check(gateways, problems);

  const fakeBefore = await chatRequestsSeenByFake(fake.url);
  let answered = 0;
  const measure = async (v: AbVariant, durationS: number) => {
    const pids = { bench: process.pid, fake: fake.pid, gateway: gateways[v].child.pid };
    const { result, cpuS } = await withCpu(pids, () => runLoad(gateways[v].target, { connections: options.connections, durationS, body: options.body }));
    problems.push(...loadProblems(result));
    answered += result.statusCodes['200'] ?? 0;
    return { ...result, cpuS };
  };

  if (options.warmupS > 0) {
    for (const v of AB_VARIANTS) {
      options.log(`${section.name} warm-up: ${v}, ${options.connections} connections, ${options.warmupS} s`);
      await measure(v, options.warmupS);
    }
  }
  const runs: AbRun[] = [];
  for (const [index, v] of runOrder(options.rounds).entries()) {
    options.log(`${section.name} run ${index + 1}/${2 * options.rounds}: ${v}, ${options.connections} connections, ${options.durationS} s`);
    const load = await measure(v, options.durationS);
    runs.push({ variant: v, order: index + 1, load, cpuUsPerRequest: gatewayCpuUsPerRequest(load) });
  }

  const seen = (await chatRequestsSeenByFake(fake.url)) - fakeBefore;
  if (seen < answered) problems.push(`${section.name} section: the fake saw ${seen} chat requests, fewer than the ${answered} answered`);
  for (const child of started) {
    await stopChecked(child, problems);
    children.splice(children.indexOf(child), 1);
  }
  const { connections, durationS, rounds, nodeArgs } = options;
  return abCost({ connections, durationS, rounds, nodeArgs, runs }, evidence);
}
