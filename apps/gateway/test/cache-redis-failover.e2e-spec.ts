import { eventually, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { startRedisCluster, type RedisClusterHandle } from './support/redis-cluster';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * Fail-open on a real Redis Cluster: a master crashes under steady load, then the whole cluster
 * stops and comes back, and no client request fails. The gateway's in-process tier is off
 * (memory.maxEntries 0) so a HIT proves Redis answered. The cluster takes free ports.
 */

let cluster: RedisClusterHandle;
let fake: RunningProcess;
let gateway: RunningProcess;

const PROMPTS = Array.from({ length: 30 }, (_, i) => `steady load ${i}`);

beforeAll(async () => {
  [cluster, fake] = await Promise.all([startRedisCluster(), startFakeProvider()]);
  gateway = await startGateway({
    providers: { fake: { type: 'openai-compatible', baseUrl: `${fake.url}/v1`, apiKey: 'upstream-key-failover-e2e', models: ['m'] } },
    cache: { type: 'redis-cluster', memory: { maxEntries: 0 }, redis: { nodes: cluster.nodes } },
  });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([gateway?.stop(), fake?.stop()]);
  await cluster?.stop();
}, STOP_TIMEOUT_MS);

async function ask(content: string) {
  const response = await postJson(`${gateway.url}/v1/chat/completions`, { model: 'fake/m', temperature: 0, messages: [{ role: 'user', content }] }); // temperature 0: cacheable by default
  await response.arrayBuffer();
  return { status: response.status, cache: response.headers.get('x-llm-hub-cache') };
}

/** Readiness as terminus reports it, reduced to what these specs look at. */
async function readiness(): Promise<{ status: string; cache: string; httpStatus: number }> {
  const response = await fetch(`${gateway.url}/health/ready`);
  const body = (await response.json()) as { status: string; details: { cache: { state: string } } };
  return { status: body.status, cache: body.details.cache.state, httpStatus: response.status };
}

/** Runs `concurrency` loops over PROMPTS until `stop()` is called; collects every outcome. */
function steadyLoad(concurrency: number) {
  const outcomes: Array<{ status: number; cache: string | null }> = [];
  let running = true;
  const loops = Array.from({ length: concurrency }, async (_, worker) => {
    for (let i = worker; running; i++) outcomes.push(await ask(PROMPTS[i % PROMPTS.length]));
  });
  return {
    outcomes,
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return outcomes;
    },
  };
}


const allHit = async () => (await Promise.all(PROMPTS.map(ask))).every((r) => r.status === 200 && r.cache === 'HIT');

describe('Redis Cluster failures', () => {
  it('loses no request when a master crashes under load, and hits again once its replica took over', async () => {
    await Promise.all(PROMPTS.map(ask));
    // A store can fail open under a loaded test machine (the 50 ms command bound); the next round
    // stores it again, so wait for a round of all hits rather than expect the first one to be.
    expect(await eventually(allHit, Boolean, 10_000)).toBe(true);

    const load = steadyLoad(4);
    // The load is running (answers are coming back) before the crash.
    await eventually(async () => load.outcomes.length, (n) => n >= 20, 10_000);
    const victim = (await cluster.masters())[0];
    await cluster.killNode(victim.port);
    const failover = await cluster.waitForFailover(victim.port, 20_000);
    expect(failover.newMasterPort).not.toBe(victim.port);
    // Hits come back once the gateway's slot map points at the promoted replica.
    expect(await eventually(allHit, Boolean, 15_000)).toBe(true);
    const outcomes = await load.stop();

    expect(outcomes.length).toBeGreaterThan(50);
    expect(outcomes.filter((o) => o.status !== 200)).toEqual([]);
    expect(outcomes.some((o) => o.cache === 'HIT')).toBe(true);
    expect((await eventually(readiness, (r) => r.cache === 'ok', 10_000)).cache).toBe('ok');

    await cluster.restartNode(victim.port);
  }, START_TIMEOUT_MS);

  it('answers every request with Redis down (readiness: degraded), and hits again when it is back', async () => {
    await cluster.stopAll();
    const whileDown = await Promise.all(PROMPTS.map(ask));
    expect(whileDown.map((r) => r.status)).toEqual(PROMPTS.map(() => 200));
    expect(whileDown.every((r) => r.cache === 'MISS')).toBe(true);
    const degraded = await eventually(readiness, (r) => r.cache === 'degraded', 5000);
    // Degraded, not down: the cache fails open, so the replica stays in the Service.
    expect(degraded).toMatchObject({ httpStatus: 200, status: 'ok', cache: 'degraded' });

    await cluster.startAll();
    expect((await eventually(readiness, (r) => r.cache === 'ok', 20_000)).cache).toBe('ok');
    // The cluster kept no data (persistence is off in tests): the next round stores, the one after hits.
    await eventually(
      async () => (await Promise.all(PROMPTS.map(ask))).every((r) => r.status === 200),
      Boolean,
      5000,
    );
    expect(await eventually(allHit, Boolean, 10_000)).toBe(true);
  }, START_TIMEOUT_MS);
});
