/**
 * Section 6 of `make bench`: what metrics and request logging cost when nothing fails. An A/B
 * section (ab-cost.ts): 'off' has both switched off, 'on' the defaults (both on). Before the runs,
 * each gateway gets one chat request, then the bench reads its output for the request line and
 * asks for GET /metrics: 'on' must show both, 'off' neither.
 */
import { measureAbCost, type AbGateway, type AbOptions } from './ab-cost';
import { AB_VARIANTS, type AbVariant } from './ab-report';
import { postChat } from './load';
import type { Child } from './processes';
import { countRequestLines, hasRequestsTotalSample, probeProblems, type ObservabilityCost, type ObservabilityProbe } from './observability-report';

const OBSERVABILITY_OFF = { observability: { metrics: { enabled: false }, requestLog: { enabled: false } } };

/** How long a request line may take to reach the output file (pino writes asynchronously); 'off' waits all of it. */
const REQUEST_LINE_WAIT_MS = 2_000;

async function probe(gateway: AbGateway, body: string): Promise<ObservabilityProbe> {
  const { child, target } = gateway;
  const response = await postChat(target, body);
  const text = await response.text();
  if (response.status !== 200) throw new Error(`${target.name}: a plain request got ${response.status}: ${text.slice(0, 500)}`);
  const deadline = Date.now() + REQUEST_LINE_WAIT_MS;
  while (countRequestLines(child.output()) === 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
  const requestLines = countRequestLines(child.output());
  // 'on' serves /metrics on its metrics listener; 'off' has none, and its API port must answer 404.
  const metrics = await fetch(`${child.metricsUrl ?? target.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
  const exposition = await metrics.text();
  return { metricsStatus: metrics.status, requestsTotal: metrics.status === 200 && hasRequestsTotalSample(exposition), requestLines };
}

/** Runs the section; see measureAbCost for `children` and `problems`. */
export function measureObservabilityCost(fake: Child, options: AbOptions, children: Child[], problems: string[]): Promise<ObservabilityCost> {
  return measureAbCost(
    fake,
    {
      name: 'observability',
      config: { off: OBSERVABILITY_OFF, on: {} },
      check: async (gateways, checkProblems) => {
        const found = await Promise.all(AB_VARIANTS.map((v) => probe(gateways[v], options.body)));
        const probes = { off: found[0], on: found[1] } as Record<AbVariant, ObservabilityProbe>;
        checkProblems.push(...probeProblems(probes));
        return { probes };
      },
    },
    options,
    children,
    problems,
  );
}
