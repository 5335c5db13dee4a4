/** The scenarios the runner knows, by the name SCENARIO (or --scenario) gives: loadtest/scenarios/. */
import { cacheMix } from '../scenarios/cache-mix';
import { load } from '../scenarios/load';
import type { ScenarioFactory } from '../scenarios/scenario';
import { smoke } from '../scenarios/smoke';
import { soak } from '../scenarios/soak';
import { spike } from '../scenarios/spike';
import { streaming } from '../scenarios/streaming';
import { stress } from '../scenarios/stress';

export const SCENARIOS: Readonly<Record<string, ScenarioFactory>> = {
  smoke,
  load,
  stress,
  spike,
  soak,
  'cache-mix': cacheMix,
  streaming,
};
