import { oneRound } from './ab-report.spec-helpers';
import { countRequestLines, formatObservability, hasRequestsTotalSample, probeProblems, type ObservabilityProbe } from './observability-report';
import { costTarget } from './report';

const ON: ObservabilityProbe = { metricsStatus: 200, requestsTotal: true, requestLines: 1 };
const OFF: ObservabilityProbe = { metricsStatus: 404, requestsTotal: false, requestLines: 0 };

describe('observability cost (section 6)', () => {
  it('counts request lines, not other lines of the output', () => {
    const output = [
      '{"level":"info","time":"2026-11-30T10:00:00.000Z","msg":"listening","port":41234}',
      '{"level":"info","requestId":"1","route":"/v1/chat/completions","status":200,"msg":"request"}',
      '{"level":"info","msg":"request completed"}',
      '{"level":"info","requestId":"2","status":200,"msg":"request"}',
    ].join('\n');
    expect(countRequestLines(output)).toBe(2);
    expect(countRequestLines('{"msg":"listening","port":1}\n')).toBe(0);
  });

  it('finds a sample of llm_hub_requests_total, not just its HELP and TYPE lines', () => {
    const head = '# HELP llm_hub_requests_total API requests.\n# TYPE llm_hub_requests_total counter\n';
    expect(hasRequestsTotalSample(head)).toBe(false);
    expect(hasRequestsTotalSample(`${head}llm_hub_requests_total{route="/v1/chat/completions",status="200"} 1\n`)).toBe(true);
    expect(hasRequestsTotalSample(`${head}llm_hub_requests_total 3\n`)).toBe(true);
    expect(hasRequestsTotalSample('llm_hub_requests_total_other{a="b"} 1\n')).toBe(false);
  });

  it("accepts 'on' with metrics and a request line and 'off' with neither", () => {
    expect(probeProblems({ off: OFF, on: ON })).toEqual([]);
  });

  it('says which variant is not what it claims', () => {
    expect(probeProblems({ off: ON, on: ON })).toEqual([
      'observability off: GET /metrics answered 200, expected 404',
      'observability off: 1 request line(s) in its output after one request, expected none',
    ]);
    expect(probeProblems({ off: OFF, on: { metricsStatus: 200, requestsTotal: false, requestLines: 0 } })).toEqual([
      'observability on: GET /metrics answered 200 without a llm_hub_requests_total sample, expected 200 with one',
      'observability on: no request line ("msg":"request") in its output after one request',
    ]);
    expect(probeProblems({ off: OFF, on: { ...ON, metricsStatus: 404, requestsTotal: false } })).toEqual([
      'observability on: GET /metrics answered 404, expected 200 with one',
    ]);
  });

  it('prints its title, table column and what each gateway showed', () => {
    const r = oneRound({ probes: { off: OFF, on: ON } });
    const lines = formatObservability(r).split('\n');
    expect(lines[0]).toMatch(/^6\. Observability cost on the healthy path .*: 50 connections, 10 s per run/);
    expect(lines[3]).toBe(
      'after one request: off: GET /metrics 404, request lines 0; on: GET /metrics 200 with llm_hub_requests_total, request lines 1',
    );
    expect(lines[4]).toMatch(/^run\s+observability\s+req\/s/);
  });

  it('has a target of under 10 % of req/s', () => {
    expect(costTarget('metrics', 10, 0.042)).toEqual({ name: 'metrics', goal: '< 10 %', measured: 4.2, unit: '%', pass: true });
    expect(costTarget('metrics', 10, 0.12).pass).toBe(false);
  });
});
