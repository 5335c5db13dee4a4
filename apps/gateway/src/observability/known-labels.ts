import { advertisedModels } from '@llm-connector-hub/assembly';
import type { GatewayConfig } from '@llm-connector-hub/config';

/**
 * The label values metrics may carry, from the config only: provider names, the models each
 * provider advertises (its list, or its plugin's defaults), and every alias target's model. A
 * model outside this set is reported as `other`, so a client sending made-up model names cannot
 * create new time series.
 */
export function knownLabels(config: GatewayConfig): { providers: string[]; models: string[] } {
  const models = new Set<string>();
  for (const provider of Object.values(config.providers)) {
    for (const model of advertisedModels(provider)) models.add(model);
  }
  for (const spec of Object.values(config.routing.aliases)) {
    for (const target of Array.isArray(spec) ? spec : [spec]) {
      const route = typeof target === 'string' ? target : target.target;
      models.add(route.slice(route.indexOf('/') + 1));
    }
  }
  return { providers: Object.keys(config.providers), models: [...models] };
}
