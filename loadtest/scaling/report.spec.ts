import { efficiencies, type StepMeasurement } from './efficiency';
import { markdownTable, niceCeiling, svgChart } from './report';

const steps: StepMeasurement[] = [
  { replicas: 1, rps: 52.5, p95Ms: 910.2, errorRate: 0, cacheHitRate: 0.48, cpuMillicoresPerPod: 99 },
  { replicas: 2, rps: 104, p95Ms: 930, errorRate: 0.0005, cacheHitRate: 0.5, cpuMillicoresPerPod: 98 },
  { replicas: 8, rps: 378, p95Ms: null, errorRate: 0, cacheHitRate: null, cpuMillicoresPerPod: null },
];

describe('the scaling report', () => {
  it('is a markdown table with one row per step: RPS, linear RPS, efficiency, p95, errors, hits, CPU', () => {
    expect(markdownTable(efficiencies(steps)).split('\n')).toEqual([
      '| replicas | RPS | linear RPS | efficiency | p95 (ms) | errors | cache hits | CPU per pod (m) |',
      '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      '| 1 | 52.5 | 52.5 | **100.0 %** | 910 | 0.00 % | 48.0 % | 99 |',
      '| 2 | 104.0 | 105.0 | **99.0 %** | 930 | 0.05 % | 50.0 % | 98 |',
      '| 8 | 378.0 | 420.0 | **90.0 %** | n/a | 0.00 % | n/a | n/a |',
    ]);
  });

  it('rounds the chart axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 0.3, 1, 7, 12, 420, 500, 501].map(niceCeiling)).toEqual([1, 0.5, 1, 10, 20, 500, 500, 1000]);
  });

  it('is an SVG chart: every element closed, the measured and linear lines through every step, efficiency labels', () => {
    const svg = svgChart(efficiencies(steps), 'Scaling <test> & co');
    // Every element is closed: as many openings (less the self-closed ones) as closings.
    const opened = svg.match(/<[a-z]+[ >]/g)!.length - svg.match(/\/>/g)!.length;
    expect(svg.match(/<\/[a-z]+>/g)!.length).toBe(opened);
    expect(svg.trimEnd().endsWith('</svg>')).toBe(true);
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
    expect(svg).toContain('<title>Scaling &lt;test&gt; &amp; co</title>');
    const lines = [...svg.matchAll(/<polyline [^>]*points="([^"]+)"/g)].map((m) => m[1].split(' ').map((p) => p.split(',').map(Number)));
    expect(lines).toHaveLength(2);
    const [linear, measured] = lines;
    expect(measured).toHaveLength(3);
    // x grows with replicas; the y axis is inverted (SVG), so the measured 8-replica point sits below the linear one.
    expect(measured.map(([x]) => x)).toEqual(linear.map(([x]) => x));
    expect(measured[2][0]).toBeGreaterThan(measured[1][0]);
    expect(measured[2][1]).toBeGreaterThan(linear[2][1]);
    expect(measured[0]).toEqual(linear[0]);
    for (const label of ['100 %', '99 %', '90 %']) expect(svg).toContain(`>${label}</text>`);
  });
});
