import { runMetrics } from './metrics';
import { evaluateThresholds, parseThresholds, ThresholdError } from './thresholds';

function metrics() {
  return runMetrics(() => 10);
}

describe('thresholds', () => {
  it("parses k6's expressions for trends, rates and counters", () => {
    expect(parseThresholds({ http_req_duration: ['p(95)<5000', 'avg <= 100', 'p(99.9)<1e4'], http_req_failed: ['rate<=0.01'], http_reqs: ['count>100'] }, metrics())).toEqual([
      { metric: 'http_req_duration', expression: 'p(95)<5000', aggregate: 'p(95)', operator: '<', limit: 5000 },
      { metric: 'http_req_duration', expression: 'avg <= 100', aggregate: 'avg', operator: '<=', limit: 100 },
      { metric: 'http_req_duration', expression: 'p(99.9)<1e4', aggregate: 'p(99.9)', operator: '<', limit: 10_000 },
      { metric: 'http_req_failed', expression: 'rate<=0.01', aggregate: 'rate', operator: '<=', limit: 0.01 },
      { metric: 'http_reqs', expression: 'count>100', aggregate: 'count', operator: '>', limit: 100 },
    ]);
  });

  it('refuses, before the run, what k6 refuses: an unknown metric, a bad expression, an aggregate the metric type lacks', () => {
    expect(() => parseThresholds({ http_req_duraton: ['p(95)<1'] }, metrics())).toThrow(ThresholdError);
    expect(() => parseThresholds({ http_req_duraton: ['p(95)<1'] }, metrics())).toThrow('threshold on http_req_duraton: no such metric');
    expect(() => parseThresholds({ http_req_duration: ['p95 < 1'] }, metrics())).toThrow(/"p95 < 1" is not "<aggregate> <operator> <number>"/);
    expect(() => parseThresholds({ http_req_failed: ['p(95)<1'] }, metrics())).toThrow('threshold on http_req_failed: a rate has no p(95)');
    expect(() => parseThresholds({ http_req_duration: ['rate<1'] }, metrics())).toThrow('a trend has no rate');
  });

  it('passes or fails on the values at the end of the run', () => {
    const m = metrics();
    for (let i = 1; i <= 100; i++) m.http_req_duration.add(i);
    for (let i = 0; i < 99; i++) m.http_req_failed.add(false);
    m.http_req_failed.add(true);
    m.http_reqs.add(100);
    const results = evaluateThresholds(
      parseThresholds({ http_req_duration: ['p(95)<96', 'p(95)<94', 'max<=100', 'med>51'], http_req_failed: ['rate<=0.01', 'rate<0.01'], http_reqs: ['rate>=10', 'count!=100'] }, m),
      m,
    );
    // Percentiles within the histogram's 3 significant digits.
    expect(results.map((r) => [r.expression, Number(r.value!.toPrecision(3)), r.ok])).toEqual([
      ['p(95)<96', 95, true],
      ['p(95)<94', 95, false],
      ['max<=100', 100, true],
      ['med>51', 50, false],
      ['rate<=0.01', 0.01, true],
      ['rate<0.01', 0.01, false],
      ['rate>=10', 10, true],
      ['count!=100', 100, false],
    ]);
  });

  it('does not evaluate a threshold whose metric got no sample (as k6), and says so with no value', () => {
    const m = metrics();
    const [result] = evaluateThresholds(parseThresholds({ llm_ttft: ['p(95)<1'] }, m), m);
    expect(result).toMatchObject({ value: undefined, ok: true });
  });

  it('keeps trend percentiles to 3 significant digits whatever the spread (HDR histogram)', () => {
    const m = metrics();
    for (const value of [0.5, 1.5, 12.25, 1234.5, 98_765]) m.http_req_duration.add(value);
    expect(m.http_req_duration.value('min')).toBe(0.5);
    expect(m.http_req_duration.value('max')).toBe(98_765);
    expect(m.http_req_duration.value('med')).toBeCloseTo(12.25, 1);
    expect(m.http_req_duration.value('avg')).toBeCloseTo((0.5 + 1.5 + 12.25 + 1234.5 + 98_765) / 5, 6);
  });
});
