import { Counter, Histogram, Registry } from 'prom-client';
import { FastFamilies } from './fast-metrics';

/** The fast families must be indistinguishable from prom-client's on /metrics. */
describe('FastFamilies', () => {
  const options = { name: 'x_total', help: 'Things \\ and\nmore.', labelNames: ['a', 'b'] };
  const histogramOptions = { name: 'x_seconds', help: 'Durations.', labelNames: ['a'], buckets: [0.1, 0.5, 1] };
  const unlabelled = { name: 'z_total', help: 'Unlabelled.', labelNames: [] };

  it('write exactly what prom-client writes for the same updates', async () => {
    const fast = new FastFamilies();
    const theirs = new Registry();
    const fastCounter = fast.counter(options);
    const fastHistogram = fast.histogram(histogramOptions);
    const fastUnlabelled = fast.counter(unlabelled);
    const counter = new Counter({ ...options, registers: [theirs] });
    const histogram = new Histogram({ ...histogramOptions, registers: [theirs] });
    const counterWithoutLabels = new Counter({ ...unlabelled, registers: [theirs] });

    const c1 = fastCounter.labels('p', 'q');
    const c2 = fastCounter.labels('r "quoted" \\ new\nline', 's');
    c1.inc();
    c1.inc(2.5);
    c2.inc(4);
    counter.labels('p', 'q').inc();
    counter.labels('p', 'q').inc(2.5);
    counter.labels('r "quoted" \\ new\nline', 's').inc(4);
    const h = fastHistogram.labels('p');
    for (const value of [0.05, 0.1, 0.3, 0.5, 0.7, 3]) {
      h.observe(value);
      histogram.labels('p').observe(value);
    }
    fastUnlabelled.labels().inc(3);
    counterWithoutLabels.inc(3);
    expect(fast.text()).toBe(await theirs.metrics());
  });

  it('return the same series for the same label values, so each is exported once', () => {
    const fast = new FastFamilies();
    const histogram = fast.histogram(histogramOptions);
    const counter = fast.counter(options);
    expect(histogram.labels('p')).toBe(histogram.labels('p'));
    expect(counter.labels('p', 'q')).toBe(counter.labels('p', 'q'));
    // Values that would collide if joined naively are still two series.
    expect(counter.labels('p,q', '')).not.toBe(counter.labels('p', 'q,'));
    histogram.labels('p').observe(0.2);
    histogram.labels('p').observe(0.7);
    counter.labels('p', 'q').inc();
    counter.labels('p', 'q').inc();
    const text = fast.text();
    expect(text.match(/^x_seconds_count\{a="p"\} 2$/gm)).toHaveLength(1);
    expect(text.match(/^x_total\{a="p",b="q"\} 2$/gm)).toHaveLength(1);
  });

  it('export a series only once it has been updated', () => {
    const fast = new FastFamilies();
    const counter = fast.counter({ name: 'y_total', help: 'Y.', labelNames: ['a'] });
    counter.labels('unused');
    counter.labels('used').inc();
    const text = fast.text();
    expect(text).toContain('y_total{a="used"} 1');
    expect(text).not.toContain('unused');
  });

  it('refuse a wrong number of label values and a second family of the same name', () => {
    const fast = new FastFamilies();
    const counter = fast.counter(options);
    expect(() => counter.labels('only-one')).toThrow('x_total: 2 label values expected, got 1');
    expect(() => fast.histogram({ ...histogramOptions, name: 'x_total' })).toThrow('x_total has already been registered');
  });
});
