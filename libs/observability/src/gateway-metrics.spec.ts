import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { FastCounter } from './fast-metrics';
import { Counter, Registry } from 'prom-client';
import { GatewayMetrics, type FinishedRequest } from './gateway-metrics';
import { LabelPolicy } from './label-policy';
import { METRICS } from './metric-definitions';

const ROUTE = '/v1/chat/completions';

function setup() {
  const registry = new Registry();
  const labels = new LabelPolicy({ providers: ['openai', 'anthropic'], models: ['gpt-4o', 'claude-sonnet-4'] });
  const sut = new GatewayMetrics({ registry, labels });
  /** One family's block (HELP, TYPE, samples) of the exposition. */
  const metric = async (name: string) => (await sut.exposition()).split('\n\n').find((block) => block.startsWith(`# HELP ${name} `)) ?? '';
  return { registry, sut, metric };
}

function finished(overrides: Partial<FinishedRequest> = {}): FinishedRequest {
  return {
    route: ROUTE,
    provider: 'openai',
    model: 'gpt-4o',
    statusCode: 200,
    cache: 'MISS',
    stream: false,
    durationSeconds: 0.5,
    upstreamSeconds: 0.45,
    ...overrides,
  };
}

/** Rows of the metric table in docs/observability.md: name, type, label names. */
function contractRows(): Array<{ name: string; type: string; labels: string[] }> {
  const doc = readFileSync(join(__dirname, '../../../docs/observability.md'), 'utf8');
  return doc
    .split('\n')
    .filter((line) => line.startsWith('| `llm_hub_'))
    .map((line) => {
      const [, name, type, labels] = line.split('|').map((cell) => cell.trim());
      // Label names are the backticked words outside parentheses (those list the values).
      const names = labels.replace(/\([^)]*\)/g, '').match(/`[a-z_]+`/g) ?? [];
      return { name: name.replace(/`/g, ''), type, labels: names.map((n) => n.replace(/`/g, '')) };
    });
}

describe('GatewayMetrics', () => {
  it('creates every metric of the docs/observability.md table with its type and labels, and no others', async () => {
    const { sut } = setup();
    // The optional gauges appear only once set.
    sut.memoryLimit(1);
    sut.cpuLimit(1);
    sut.cache.redisHealth(true);
    const rows = contractRows();
    expect(rows).toHaveLength(23);

    const registered = new Map([...(await sut.exposition()).matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1], m[2]]));
    const defined = new Map<string, readonly string[]>(Object.values(METRICS).map((m) => [m.name, m.labelNames]));
    for (const row of rows) {
      expect({ name: row.name, type: registered.get(row.name) }).toEqual({ name: row.name, type: row.type });
      expect({ name: row.name, labels: defined.get(row.name) }).toEqual({ name: row.name, labels: row.labels });
    }
    expect([...registered.keys()].sort()).toEqual(rows.map((r) => r.name).sort());
  });

  it('registers no default process metrics (the registry owner turns them on)', async () => {
    const { sut } = setup();
    expect(await sut.exposition()).not.toMatch(/^(process|nodejs)_/m);
  });

  it("exports the registry's own metrics with its families", async () => {
    const { registry, sut } = setup();
    new Counter({ name: 'owner_total', help: 'Registered by the owner.', registers: [registry] }).inc();
    sut.requestFinished(finished());
    const text = await sut.exposition();
    expect(text).toContain('owner_total 1');
    expect(text).toContain('llm_hub_requests_total{');
    expect(sut.contentType).toBe(registry.contentType);
  });

  it('exports one overhead series per route, whatever the number of providers and models behind it', async () => {
    const { sut, metric } = setup();
    sut.requestFinished(finished({ provider: 'openai', model: 'gpt-4o', durationSeconds: 1, upstreamSeconds: 0.75 }));
    sut.requestFinished(finished({ provider: 'anthropic', model: 'claude-sonnet-4', durationSeconds: 1, upstreamSeconds: 0.5 }));
    const text = await metric(METRICS.overhead.name);
    expect(text.match(/_count\{/g)).toHaveLength(1);
    expect(text).toContain(`llm_hub_gateway_overhead_seconds_count{route="${ROUTE}"} 2`);
    expect(text).toContain(`llm_hub_gateway_overhead_seconds_sum{route="${ROUTE}"} 0.75`);
  });

  it('uses the contract buckets: latency 5 ms..120 s, overhead 0.1 ms..1 s', async () => {
    const { sut, metric } = setup();
    sut.requestFinished(finished());
    const duration = await metric(METRICS.requestDuration.name);
    const overhead = await metric(METRICS.overhead.name);
    const bounds = (text: string) => [...text.matchAll(/le="([^"]+)"/g)].map((m) => m[1]);
    expect(bounds(duration)).toEqual(['0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '2.5', '5', '10', '20', '30', '60', '120', '+Inf']);
    expect(bounds(overhead)).toEqual(['0.0001', '0.00025', '0.0005', '0.001', '0.0025', '0.005', '0.01', '0.025', '0.05', '0.1', '0.25', '0.5', '1', '+Inf']);
  });

  it('requestFinished counts the request, observes duration by stream, and overhead = duration - upstream', async () => {
    const { sut } = setup();
    sut.requestFinished(finished({ stream: true, durationSeconds: 2, upstreamSeconds: 1.75 }));
    const text = await sut.exposition();
    expect(text).toContain(`llm_hub_requests_total{route="${ROUTE}",provider="openai",model="gpt-4o",status_class="2xx",cache="miss"} 1`);
    expect(text).toContain(`llm_hub_request_duration_seconds_count{route="${ROUTE}",provider="openai",model="gpt-4o",stream="true"} 1`);
    expect(text).toContain(`llm_hub_request_duration_seconds_sum{route="${ROUTE}",provider="openai",model="gpt-4o",stream="true"} 2`);
    expect(text).toContain(`llm_hub_gateway_overhead_seconds_sum{route="${ROUTE}"} 0.25`);
  });

  it('requestFinished does not observe overhead for a request that did not go upstream', async () => {
    const { sut, metric } = setup();
    sut.requestFinished(finished({ cache: 'HIT', upstreamSeconds: 0, durationSeconds: 0.002 }));
    expect(await metric(METRICS.overhead.name)).not.toContain('_count');
    expect(await sut.exposition()).toContain('cache="hit"} 1');
  });

  it('maps status codes to classes and an unconsulted cache to bypass', async () => {
    const { sut, metric } = setup();
    sut.requestFinished(finished({ statusCode: 404, cache: undefined }));
    sut.requestFinished(finished({ statusCode: 503, cache: 'bypass' }));
    sut.requestFinished(finished({ statusCode: 999, cache: 'BYPASS' }));
    const text = await metric(METRICS.requests.name);
    expect(text).toContain('status_class="4xx",cache="bypass"} 1');
    expect(text).toContain('status_class="5xx",cache="bypass"} 2');
  });

  it('reports unconfigured providers and models as other, and unrouted requests as none', async () => {
    const { sut, metric } = setup();
    sut.requestFinished(finished({ provider: 'made-up', model: 'gpt-9000' }));
    sut.requestFinished(finished({ provider: undefined, model: undefined, statusCode: 400, upstreamSeconds: 0 }));
    const text = await metric(METRICS.requests.name);
    expect(text).toContain('provider="other",model="other",status_class="2xx"');
    expect(text).toContain('provider="none",model="none",status_class="4xx"');
    expect(text).not.toContain('made-up');
  });

  it('reuses label-bound series on repeated requests (the hot path does no labels() call)', () => {
    const { sut } = setup();
    const labelsCalls = jest.spyOn(FastCounter.prototype, 'labels');
    sut.requestFinished(finished());
    sut.usage('openai', 'gpt-4o', 1, 1, 0.1);
    const warm = labelsCalls.mock.calls.length;
    sut.requestFinished(finished({ statusCode: 500, cache: 'HIT' }));
    sut.usage('openai', 'gpt-4o', 1, 1, 0.1);
    expect(warm).toBeGreaterThan(0);
    expect(labelsCalls.mock.calls.length).toBe(warm);
    labelsCalls.mockRestore();
  });

  it('records upstream attempts, time to first token, tokens, cost and cache savings by provider and model', async () => {
    const { sut } = setup();
    sut.upstreamAttempt('anthropic', 'claude-sonnet-4', 1.5);
    sut.firstToken('anthropic', 'claude-sonnet-4', 0.3);
    sut.usage('anthropic', 'claude-sonnet-4', 1000, 200, 0.006);
    sut.cacheSaved('anthropic', 'claude-sonnet-4', 0.004);
    const text = await sut.exposition();
    const labels = 'provider="anthropic",model="claude-sonnet-4"';
    expect(text).toContain(`llm_hub_upstream_duration_seconds_sum{${labels}} 1.5`);
    expect(text).toContain(`llm_hub_time_to_first_token_seconds_sum{${labels}} 0.3`);
    expect(text).toContain(`llm_hub_tokens_total{${labels},type="prompt"} 1000`);
    expect(text).toContain(`llm_hub_tokens_total{${labels},type="completion"} 200`);
    expect(text).toContain(`llm_hub_cost_usd_total{${labels}} 0.006`);
    expect(text).toContain(`llm_hub_cache_saved_usd_total{${labels}} 0.004`);
  });

  it('usage without a price counts tokens but not cost (unknown is not free)', async () => {
    const { sut, metric } = setup();
    sut.usage('openai', 'gpt-4o', 10, 5, undefined);
    expect(await metric(METRICS.tokens.name)).toContain('type="prompt"} 10');
    expect(await metric(METRICS.cost.name)).not.toContain('provider=');
  });

  it('tracks in-flight requests and open streams from deltas', async () => {
    const { sut } = setup();
    sut.inFlight(1);
    sut.inFlight(1);
    sut.inFlight(-1);
    sut.openStreams(1);
    const text = await sut.exposition();
    expect(text).toContain('llm_hub_in_flight_requests 1');
    expect(text).toContain('llm_hub_open_streams 1');
  });

  it('leaves the limit gauges out while unlimited', async () => {
    const { sut } = setup();
    sut.memoryLimit(undefined);
    sut.cpuLimit(undefined);
    expect(await sut.exposition()).not.toMatch(/llm_hub_(memory|cpu)_limit/);
    sut.memoryLimit(536870912);
    sut.cpuLimit(1.5);
    const text = await sut.exposition();
    expect(text).toContain('llm_hub_memory_limit_bytes 536870912');
    expect(text).toContain('llm_hub_cpu_limit_cores 1.5');
  });

  it('exports build info as one series with value 1', async () => {
    const { sut, metric } = setup();
    sut.buildInfo('0.0.1', 'v24.0.0');
    sut.buildInfo('0.0.2', 'v24.1.0');
    const text = await metric(METRICS.buildInfo.name);
    expect(text).toContain('llm_hub_build_info{version="0.0.2",node_version="v24.1.0"} 1');
    expect(text).not.toContain('0.0.1');
  });
});
