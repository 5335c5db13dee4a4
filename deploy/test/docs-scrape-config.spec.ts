import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './support/render';
import { scrapeConfig } from './support/in-cluster-prometheus';

/**
 * The scrape config docs/kubernetes.md gives users ("Autoscaling in the cluster") is the one the
 * autoscaling spec's Prometheus runs (support/in-cluster-prometheus.ts), for the docs' namespace
 * and with the metrics token, so the documented labels are the ones the chart's KEDA query was
 * proven against.
 */
describe('docs/kubernetes.md: the documented Prometheus scrape config', () => {
  it('is the autoscaling spec’s', () => {
    const doc = readFileSync(join(REPO_ROOT, 'docs/kubernetes.md'), 'utf8');
    const section = doc.slice(doc.indexOf('### In your own cluster, with KEDA and Prometheus'));
    const block = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
    expect(block).toBeDefined();
    const documented = parse(block!.replace(/^ {3}/gm, '')) as { scrape_configs: unknown[] };
    const namespace = (documented.scrape_configs[0] as { kubernetes_sd_configs: Array<{ namespaces: { names: string[] } }> }).kubernetes_sd_configs[0].namespaces.names[0];
    const spec = scrapeConfig({ namespace: 'monitoring', target: namespace, image: 'unused', scrapeInterval: '15s', tokenSecret: 'metrics-token' });
    expect(documented.scrape_configs).toEqual(spec.scrape_configs);
  });
});
