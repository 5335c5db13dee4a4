/**
 * The prompts. Every scenario but the cache mix sends a prompt no one sent before, so that each
 * request takes the whole path to the provider (the gateway's cache is on by default): a run id
 * (made when this module loads, so per process, and per VU in k6) and the iteration number make it
 * unique. The cache mix repeats a small pool of prompts in a fixed share of its requests.
 */
import type { Iteration } from './scenario.ts';
import type { Settings } from './settings.ts';

const QUESTION = 'In one sentence, why do load tests matter?';
const RUN_ID = `${Date.now().toString(36)}${Math.floor(Math.random() * 36 ** 6).toString(36)}`;

export function uniquePrompt(iteration: Iteration): string {
  return `Request ${RUN_ID}-${iteration.index}. ${QUESTION}`;
}

function pooledPrompt(slot: number, pool: number): string {
  return `Question ${slot + 1} of ${pool}. ${QUESTION}`;
}

/**
 * Which prompt the cache mix sends in iteration `index`: the unique ones are spread evenly (one
 * every 1 / (1 - ratio) iterations, as a line is drawn on a pixel grid), so any run of iterations
 * has the ratio, not just a long one; the repeated ones cycle through the pool.
 */
export function cacheMixChoice(index: number, settings: Pick<Settings, 'repeatRatio' | 'promptPool'>): { repeat: true; slot: number } | { repeat: false } {
  const uniqueShare = 1 - settings.repeatRatio;
  // The epsilon keeps 1 - 0.9 (0.0999...) from moving each unique request one iteration late.
  const uniquesBefore = (i: number) => Math.floor(i * uniqueShare + 1e-9);
  if (uniquesBefore(index + 1) > uniquesBefore(index)) return { repeat: false };
  return { repeat: true, slot: (index - uniquesBefore(index)) % settings.promptPool };
}

export function cacheMixPrompt(iteration: Iteration, settings: Settings): string {
  const choice = cacheMixChoice(iteration.index, settings);
  return choice.repeat ? pooledPrompt(choice.slot, settings.promptPool) : uniquePrompt(iteration);
}
