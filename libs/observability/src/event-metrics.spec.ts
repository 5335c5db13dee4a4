import { CacheEvents } from '@llm-connector-hub/cache';
import { ResilienceEvents } from '@llm-connector-hub/resilience';
import { Registry } from 'prom-client';
import { exportCacheEvents, exportResilienceEvents } from './event-metrics';
import { GatewayMetrics } from './gateway-metrics';
import { LabelPolicy } from './label-policy';
import { METRICS } from './metric-definitions';

function setup() {
  const registry = new Registry();
  const labels = new LabelPolicy({ providers: ['openai', 'anthropic'], models: ['gpt-4o', 'claude-sonnet-4'] });
  const metrics = new GatewayMetrics({ registry, labels });
  /** One family's block (HELP, TYPE, samples) of the exposition. */
  const metric = async (name: string) => (await metrics.exposition()).split('\n\n').find((block) => block.startsWith(`# HELP ${name} `)) ?? '';
  return { metrics, metric };
}

describe('exportResilienceEvents', () => {
  it('counts retries, fallbacks, rejections and timeouts with policy-mapped labels', async () => {
    const { metrics, metric } = setup();
    const events = new ResilienceEvents();
    exportResilienceEvents(events, metrics);
    events.emit({ type: 'retry', provider: 'openai', model: 'gpt-4o', attempt: 1, delayMs: 100, reason: '503' });
    events.emit({ type: 'retry', provider: 'openai', model: 'gpt-4o-2024-08-06', attempt: 1, delayMs: 100, reason: '503' });
    events.emit({ type: 'fallback', fromProvider: 'openai', fromModel: 'gpt-4o', toProvider: 'anthropic', toModel: 'claude-sonnet-4', reason: 'x' });
    events.emit({ type: 'rejected', provider: 'openai', model: 'gpt-4o', by: 'breaker' });
    events.emit({ type: 'rejected', provider: 'unknown', model: 'gpt-4o', by: 'bulkhead' });
    events.emit({ type: 'timeout', provider: 'anthropic', model: 'claude-sonnet-4', kind: 'first_token' });
    events.emit({ type: 'retry_budget_exhausted', provider: 'openai', model: 'gpt-4o' });

    expect(await metric(METRICS.retries.name)).toContain('llm_hub_retries_total{provider="openai",model="gpt-4o"} 1');
    expect(await metric(METRICS.retries.name)).toContain('llm_hub_retries_total{provider="openai",model="other"} 1');
    expect(await metric(METRICS.fallbacks.name)).toContain('llm_hub_fallbacks_total{from_provider="openai",to_provider="anthropic"} 1');
    expect(await metric(METRICS.rejections.name)).toContain('llm_hub_rejections_total{provider="openai",reason="breaker"} 1');
    expect(await metric(METRICS.rejections.name)).toContain('llm_hub_rejections_total{provider="other",reason="bulkhead"} 1');
    expect(await metric(METRICS.upstreamTimeouts.name)).toContain('llm_hub_upstream_timeouts_total{provider="anthropic",kind="first_token"} 1');
  });

  it('exports the breaker state one-hot: the current state 1, the other two 0', async () => {
    const { metrics, metric } = setup();
    const events = new ResilienceEvents();
    exportResilienceEvents(events, metrics);
    const state = async () => {
      const text = await metric(METRICS.breakerState.name);
      return Object.fromEntries([...text.matchAll(/state="(\w+)"} (\d)/g)].map((m) => [m[1], Number(m[2])]));
    };

    events.emit({ type: 'breaker_state', provider: 'openai', model: 'gpt-4o', state: 'open' });
    expect(await state()).toEqual({ closed: 0, open: 1, half_open: 0 });
    events.emit({ type: 'breaker_state', provider: 'openai', model: 'gpt-4o', state: 'half_open' });
    expect(await state()).toEqual({ closed: 0, open: 0, half_open: 1 });
    events.emit({ type: 'breaker_state', provider: 'openai', model: 'gpt-4o', state: 'closed' });
    expect(await state()).toEqual({ closed: 1, open: 0, half_open: 0 });
    expect(await metric(METRICS.breakerState.name)).toContain('provider="openai",model="gpt-4o",state="closed"');
  });

  it('sets the bulkhead gauges per provider', async () => {
    const { metrics, metric } = setup();
    const events = new ResilienceEvents();
    exportResilienceEvents(events, metrics);
    events.emit({ type: 'bulkhead_queue', provider: 'openai', executing: 8, queued: 3 });
    events.emit({ type: 'bulkhead_queue', provider: 'openai', executing: 7, queued: 0 });
    expect(await metric(METRICS.bulkheadExecuting.name)).toContain('llm_hub_bulkhead_executing{provider="openai"} 7');
    expect(await metric(METRICS.bulkheadQueued.name)).toContain('llm_hub_bulkhead_queued{provider="openai"} 0');
  });

  it('reports the bulkhead of an unconfigured provider as `other`, never by its name', async () => {
    const { metrics, metric } = setup();
    const events = new ResilienceEvents();
    exportResilienceEvents(events, metrics);
    events.emit({ type: 'bulkhead_queue', provider: 'made-up-provider', executing: 2, queued: 1 });
    const text = await metric(METRICS.bulkheadExecuting.name);
    expect(text).toContain('llm_hub_bulkhead_executing{provider="other"} 2');
    expect(text).not.toContain('made-up-provider');
  });

  it('stops exporting once unsubscribed', async () => {
    const { metrics, metric } = setup();
    const events = new ResilienceEvents();
    const off = exportResilienceEvents(events, metrics);
    off();
    expect(events.active).toBe(false);
    events.emit({ type: 'retry', provider: 'openai', model: 'gpt-4o', attempt: 1, delayMs: 1, reason: 'x' });
    expect(await metric(METRICS.retries.name)).not.toContain('provider=');
  });
});

describe('exportCacheEvents', () => {
  it('counts lookups by lower-case result and tier (none for misses and bypasses)', async () => {
    const { metrics, metric } = setup();
    const events = new CacheEvents();
    exportCacheEvents(events, metrics);
    events.emit({ type: 'lookup', result: 'HIT', tier: 'memory', kind: 'chat' });
    events.emit({ type: 'lookup', result: 'HIT', tier: 'redis', kind: 'chat' });
    events.emit({ type: 'lookup', result: 'HIT', tier: 'redis', kind: 'embedding' });
    events.emit({ type: 'lookup', result: 'MISS', kind: 'chat' });
    events.emit({ type: 'lookup', result: 'BYPASS', kind: 'chat' });
    events.emit({ type: 'stored', bytes: 100 });
    events.emit({ type: 'coalesced', scope: 'local' });
    const text = await metric(METRICS.cacheLookups.name);
    expect(text).toContain('llm_hub_cache_lookups_total{result="hit",tier="memory"} 1');
    expect(text).toContain('llm_hub_cache_lookups_total{result="hit",tier="redis"} 2');
    expect(text).toContain('llm_hub_cache_lookups_total{result="miss",tier="none"} 1');
    expect(text).toContain('llm_hub_cache_lookups_total{result="bypass",tier="none"} 1');
  });

  it('counts `hit` and `HIT` in one series (both spellings are accepted)', async () => {
    const { metrics, metric } = setup();
    metrics.cache.lookup('HIT', 'memory');
    metrics.cache.lookup('hit', 'memory');
    const text = await metric(METRICS.cacheLookups.name);
    expect(text.match(/result="hit",tier="memory"/g)).toHaveLength(1);
    expect(text).toContain('llm_hub_cache_lookups_total{result="hit",tier="memory"} 2');
  });

  it('counts errors by operation', async () => {
    const { metrics, metric } = setup();
    const events = new CacheEvents();
    exportCacheEvents(events, metrics);
    events.emit({ type: 'error', operation: 'get' });
    events.emit({ type: 'error', operation: 'get' });
    events.emit({ type: 'error', operation: 'lock' });
    const text = await metric(METRICS.cacheErrors.name);
    expect(text).toContain('llm_hub_cache_errors_total{operation="get"} 2');
    expect(text).toContain('llm_hub_cache_errors_total{operation="lock"} 1');
  });

  it('sets redis_up from health, and leaves it out until Redis reports', async () => {
    const { metrics } = setup();
    const events = new CacheEvents();
    exportCacheEvents(events, metrics);
    expect(await metrics.exposition()).not.toContain('llm_hub_redis_up');
    events.emit({ type: 'health', status: 'degraded' });
    expect(await metrics.exposition()).toContain('llm_hub_redis_up 0');
    events.emit({ type: 'health', status: 'ok' });
    expect(await metrics.exposition()).toContain('llm_hub_redis_up 1');
  });
});
