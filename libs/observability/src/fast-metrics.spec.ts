import { Counter, Histogram, Registry } from 'prom-client';
import { FastCounter, FastHistogram } from './fast-metrics';

/** The fast families must be indistinguishable from prom-client's on /metrics. */
describe('FastCounter and FastHistogram', () => {
  const options = { name: 'x_total', help: 'Things.', labelNames: ['a', 'b'] as const };
  const histogramOptions = { name: 'x_seconds', help: 'Durations.', labelNames: ['a'] as const, buckets: [0.1, 0.5, 1] };

  it('expose exactly what prom-client exposes for the same updates', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const fastCounter = new FastCounter(ours, { ...options, labelNames: [...options.labelNames] });
    const fastHistogram = new FastHistogram(ours, { ...histogramOptions, labelNames: [...histogramOptions.labelNames] });
    const counter = new Counter({ ...options, labelNames: [...options.labelNames], registers: [theirs] });
    const histogram = new Histogram({ ...histogramOptions, labelNames: [...histogramOptions.labelNames], registers: [theirs] });

    const c1 = fastCounter.labels('p', 'q');
    const c2 = fastCounter.labels('r', 's');
    c1.inc();
    c1.inc(2.5);
    c2.inc(4);
    counter.labels('p', 'q').inc();
    counter.labels('p', 'q').inc(2.5);
    counter.labels('r', 's').inc(4);
    const h = fastHistogram.labels('p');
    for (const value of [0.05, 0.1, 0.3, 0.5, 0.7, 3]) {
      h.observe(value);
      histogram.labels('p').observe(value);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
  });

  it('export a series only once it has been updated', async () => {
    const registry = new Registry();
    const counter = new FastCounter(registry, { name: 'y_total', help: 'Y.', labelNames: ['a'] });
    counter.labels('unused');
    counter.labels('used').inc();
    const text = await registry.metrics();
    expect(text).toContain('y_total{a="used"} 1');
    expect(text).not.toContain('unused');
  });
});
