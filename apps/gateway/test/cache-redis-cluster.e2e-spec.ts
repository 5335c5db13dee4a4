import { eventually, fakeStats, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { startRedisCluster, type RedisClusterHandle } from './support/redis-cluster';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The shared cache tier on a real six-node Redis Cluster (scripts/redis-cluster.sh): two gateway
 * processes with the in-process tier turned off (memory.maxEntries 0), so every HIT below was
 * read from Redis. The cluster and the single redis-server take free ports.
 */

let cluster: RedisClusterHandle;
let fake: RunningProcess;
let gatewayA: RunningProcess;
let gatewayB: RunningProcess;

const provider = (f: RunningProcess) => ({ type: 'openai-compatible', baseUrl: `${f.url}/v1`, apiKey: 'upstream-key-redis-e2e', models: ['m'] });
/**
 * Redis calls get 2 s, not the default 50 ms, past which a store fails open (a miss, by design):
 * on a loaded test machine that made a few of the HITs below MISSes. This spec is about where
 * answers go; the fail-open is cache-redis-failover's.
 */
const SLOW_MACHINE_REDIS = { commandTimeoutMs: 2000 };
const clusterCache = () => ({ type: 'redis-cluster', memory: { maxEntries: 0 }, redis: { nodes: cluster.nodes, ...SLOW_MACHINE_REDIS } });

beforeAll(async () => {
  [cluster, fake] = await Promise.all([startRedisCluster(), startFakeProvider()]);
  [gatewayA, gatewayB] = await Promise.all([
    startGateway({ providers: { fake: provider(fake) }, cache: clusterCache() }),
    startGateway({ providers: { fake: provider(fake) }, cache: clusterCache() }),
  ]);
  await Promise.all([cacheReady(gatewayA), cacheReady(gatewayB)]);
}, START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([gatewayA?.stop(), gatewayB?.stop(), fake?.stop()]);
  await cluster?.stop();
}, STOP_TIMEOUT_MS);

/** The gateway connects to Redis after it listens; its readiness says when the connection is up. */
async function cacheReady(gateway: RunningProcess): Promise<void> {
  const cacheState = async () => ((await (await fetch(`${gateway.url}/health/ready`)).json()) as { details: { cache: { state: string } } }).details.cache.state;
  expect(await eventually(cacheState, (state) => state === 'ok', 30_000)).toBe('ok');
}

/** Deterministic (temperature 0), so the default cache policy caches it (docs/configuration.md#cache-policy). */
const chat = (content: string) => ({ model: 'fake/m', temperature: 0, messages: [{ role: 'user', content }] });
const upstreamCalls = async () => (await fakeStats(fake.url)).requests;

async function ask(gateway: RunningProcess, content: string) {
  const response = await postJson(`${gateway.url}/v1/chat/completions`, chat(content));
  const json = (await response.json()) as { id: string };
  return { status: response.status, cache: response.headers.get('x-llm-hub-cache'), id: json.id };
}

/** Every answer key the gateways wrote, across all masters (lock keys are short-lived and skipped). */
async function storedKeys(): Promise<string[]> {
  const masters = await cluster.masters();
  const lists = await Promise.all(masters.map((m) => cluster.redisCli(m.port, 'KEYS', 'llmhub:*')));
  return lists.flatMap((list) => list.split('\n').filter((key) => key && !key.endsWith(':lock')));
}

describe('Redis Cluster cache', () => {
  it('spreads keys over all three masters and hits on every one of them (no CROSSSLOT)', async () => {
    const prompts = Array.from({ length: 60 }, (_, i) => `spread ${i}`);
    const first = await Promise.all(prompts.map((p) => ask(gatewayA, p)));
    const again = await Promise.all(prompts.map((p) => ask(gatewayA, p)));
    expect(first.every((r) => r.status === 200 && r.cache === 'MISS')).toBe(true);
    expect(again.map((r) => r.cache)).toEqual(prompts.map(() => 'HIT'));
    expect(again.map((r) => r.id)).toEqual(first.map((r) => r.id));
    const counts = await cluster.keyCounts();
    expect(counts.size).toBe(3);
    for (const count of counts.values()) expect(count).toBeGreaterThan(0);
    expect(gatewayA.output()).not.toMatch(/CROSSSLOT/);
  });

  it('shares hits between two gateway processes through Redis', async () => {
    const before = await upstreamCalls();
    const onA = await ask(gatewayA, 'shared between replicas');
    const onB = await ask(gatewayB, 'shared between replicas');
    expect([onA.cache, onB.cache]).toEqual(['MISS', 'HIT']);
    expect(onB.id).toBe(onA.id);
    expect((await upstreamCalls()) - before).toBe(1);
  });

  it('coalesces 50 identical concurrent requests over two gateways into one upstream call', async () => {
    const before = await upstreamCalls();
    const prompt = 'everyone at once [[fake latency=400]]';
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => ask(i % 2 === 0 ? gatewayA : gatewayB, prompt)));
    expect(results.every((r) => r.status === 200)).toBe(true);
    expect((await upstreamCalls()) - before).toBe(1);
    expect(new Set(results.map((r) => r.id)).size).toBe(1);
    expect(results.filter((r) => r.cache === 'MISS')).toHaveLength(1);
  });

  it('follows ASK while a slot is being migrated and MOVED after, without a miss', async () => {
    const before = new Set(await storedKeys());
    const stored = await ask(gatewayA, 'resharded answer');
    expect(stored.cache).toBe('MISS');
    const key = (await storedKeys()).find((k) => !before.has(k));
    expect(key).toBeDefined();
    const slot = await cluster.keySlot(key!);
    const owner = await cluster.ownerOfSlot(slot);
    const target = (await cluster.masters()).find((m) => m.port !== owner.port)!;

    await cluster.beginSlotMigration(slot, target.port);
    expect(await cluster.migrateKeys(slot)).toBeGreaterThanOrEqual(1);
    // The key now lives on the target while the source still owns the slot: the source says ASK.
    const duringMigration = await ask(gatewayB, 'resharded answer');
    expect(duringMigration).toMatchObject({ status: 200, cache: 'HIT', id: stored.id });

    await cluster.finishSlotMigration(slot);
    expect((await cluster.ownerOfSlot(slot)).port).toBe(target.port);
    // The gateways' slot maps are stale: the old owner now answers MOVED.
    const afterMove = await Promise.all([ask(gatewayA, 'resharded answer'), ask(gatewayB, 'resharded answer')]);
    expect(afterMove.map((r) => [r.status, r.cache, r.id])).toEqual([
      [200, 'HIT', stored.id],
      [200, 'HIT', stored.id],
    ]);
  });

  it('reports the cache as ok in readiness while the cluster is healthy', async () => {
    const ready = await fetch(`${gatewayA.url}/health/ready`);
    expect(await ready.json()).toMatchObject({ status: 'ok', details: { cache: { status: 'up', type: 'redis-cluster', state: 'ok' } } });
  });
});

describe('single Redis URL', () => {
  let redis: RedisServerHandle;
  let gateway: RunningProcess;

  beforeAll(async () => {
    redis = await startRedisServer();
    gateway = await startGateway({
      providers: { fake: provider(fake) },
      cache: { type: 'redis', memory: { maxEntries: 0 }, redis: { url: redis.url, ...SLOW_MACHINE_REDIS } },
    });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await gateway?.stop();
    await redis?.stop();
  }, STOP_TIMEOUT_MS);

  it('stores in and hits from a single Redis node', async () => {
    await cacheReady(gateway);
    const first = await ask(gateway, 'single node');
    const second = await ask(gateway, 'single node');
    expect([first.cache, second.cache]).toEqual(['MISS', 'HIT']);
    expect(second.id).toBe(first.id);
  });
});
