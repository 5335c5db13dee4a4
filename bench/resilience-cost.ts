/**
 * Section 4 of `make bench`: what the resilience pipeline costs when nothing fails. An A/B section
 * (ab-cost.ts): 'off' has `resilience: { enabled: false }`, 'on' the default config (enabled).
 * Before the runs, each gateway gets one request that the fake fails with 503, to show from the
 * fake's side which one retries.
 */
import { measureAbCost, type AbOptions } from './ab-cost';
import type { AbVariant } from './ab-report';
import { chatRequestsSeenByFake } from './fake-stats';
import { postChat, type Target } from './load';
import type { Child } from './processes';
import { attemptsProblems, type ResilienceCost } from './resilience-report';

/** Upstream requests the fake saw while the gateway answered one request. */
async function upstreamAttempts(fake: Child, target: Target, body: string): Promise<number> {
  const before = await chatRequestsSeenByFake(fake.url);
  const response = await postChat(target, body, 30_000);
  await response.text();
  if (response.status === 200) throw new Error(`${target.name} answered 200 to a request the fake fails with 503`);
  return (await chatRequestsSeenByFake(fake.url)) - before;
}

/** Runs the section; see measureAbCost for `children` and `problems`. `failingBody` is a request the fake answers with 503. */
export function measureResilienceCost(fake: Child, options: AbOptions & { failingBody: string }, children: Child[], problems: string[]): Promise<ResilienceCost> {
  return measureAbCost(
    fake,
    {
      name: 'resilience',
      config: { off: { resilience: { enabled: false } }, on: {} },
      check: async (gateways, checkProblems) => {
        const attemptsFor503: Record<AbVariant, number> = { off: 0, on: 0 };
        for (const v of ['off', 'on'] as const) attemptsFor503[v] = await upstreamAttempts(fake, gateways[v].target, options.failingBody);
        checkProblems.push(...attemptsProblems(attemptsFor503));
        return { attemptsFor503 };
      },
    },
    options,
    children,
    problems,
  );
}
