import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Cluster } from 'ioredis';
import { startRedisCluster, type RedisClusterHandle } from './support/redis-cluster';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * Proves the Redis Cluster test support against a real six-node cluster: topology, key spread,
 * a hand-made reshard seen through ASK then MOVED, a crashed master replaced by its replica, and a
 * full stop/start. The steps share one cluster and run in order, each building on the last.
 */

let cluster: RedisClusterHandle;
let client: Cluster;
const timings: Record<string, number> = {};

/** Retries a Cluster client command while the client catches up with a topology change. */
async function retry<T>(command: () => Promise<T>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await command();
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

beforeAll(async () => {
  const started = Date.now();
  cluster = await startRedisCluster();
  timings.startMs = Date.now() - started;
  client = new Cluster([{ host: '127.0.0.1', port: cluster.portBase }], {
    // Quick retries so the client follows failovers within the test's time budget.
    clusterRetryStrategy: () => 100,
    retryDelayOnFailover: 100,
    retryDelayOnClusterDown: 100,
    redisOptions: { connectTimeout: 1000 },
  });
  client.on('error', () => undefined); // node errors during failover are expected; reads assert the outcome
}, START_TIMEOUT_MS);

afterAll(async () => {
  client?.disconnect();
  await cluster?.stop();
  console.log(`redis cluster timings (ms): ${JSON.stringify(timings)}`);
}, STOP_TIMEOUT_MS);

it('forms 3 masters with one replica each, covering all 16384 slots', async () => {
  const masters = await cluster.masters();
  const replicas = await cluster.replicas();
  expect(masters).toHaveLength(3);
  expect(replicas).toHaveLength(3);
  expect(new Set(replicas.map((replica) => replica.masterId))).toEqual(new Set(masters.map((master) => master.id)));
  const ranges = masters.flatMap((master) => master.slots).sort((a, b) => a[0] - b[0]);
  let next = 0;
  for (const [from, to] of ranges) {
    expect(from).toBe(next); // contiguous, no gap, no overlap
    next = to + 1;
  }
  expect(next).toBe(16384);
  expect(cluster.nodes).toEqual([0, 1, 2, 3, 4, 5].map((i) => `127.0.0.1:${cluster.portBase + i}`));
});

it('spreads 200 keys written through a Cluster client over every master', async () => {
  await Promise.all(Array.from({ length: 200 }, (_, i) => client.set(`key:${i}`, `value:${i}`)));
  const counts = await cluster.keyCounts();
  expect(counts.size).toBe(3);
  for (const count of counts.values()) expect(count).toBeGreaterThan(0);
  expect([...counts.values()].reduce((a, b) => a + b, 0)).toBe(200);
});

it('moves a slot: ASK while it migrates, MOVED once it is moved, and the client reads the key throughout', async () => {
  const key = 'key:0';
  const slot = await cluster.keySlot(key);
  const source = await cluster.ownerOfSlot(slot);
  const target = (await cluster.masters()).find((master) => master.port !== source.port)!;

  await cluster.beginSlotMigration(slot, target.port);
  expect(await cluster.migrateKeys(slot)).toBeGreaterThanOrEqual(1);
  // The source no longer has the key and sends clients to the target for this one query.
  await expect(cluster.redisCli(source.port, 'GET', key)).rejects.toThrow(`ASK ${slot} 127.0.0.1:${target.port}`);
  expect(await client.get(key)).toBe('value:0');

  await cluster.finishSlotMigration(slot);
  await expect(cluster.redisCli(source.port, 'GET', key)).rejects.toThrow(`MOVED ${slot} 127.0.0.1:${target.port}`);
  expect(await client.get(key)).toBe('value:0');
  expect((await cluster.ownerOfSlot(slot)).port).toBe(target.port);
  expect(await cluster.redisCli(target.port, 'GET', key)).toBe('value:0');
});

it('replaces a crashed master with its replica, and the key is readable again', async () => {
  const key = 'key:0';
  const master = await cluster.ownerOfSlot(await cluster.keySlot(key));
  const replica = (await cluster.replicas()).find((node) => node.masterId === master.id)!;
  // The migrated key must have reached the replica before the crash, or failover would lose it.
  expect(await cluster.redisCli(master.port, 'WAIT', 1, 2000)).toBe('1');

  const killed = Date.now();
  await cluster.killNode(master.port);
  const failover = await cluster.waitForFailover(master.port, 20_000);
  timings.failoverMs = failover.ms;
  expect(failover.newMasterPort).toBe(replica.port);
  expect(await retry(() => client.get(key))).toBe('value:0');
  timings.clientReadAfterKillMs = Date.now() - killed;
  expect((await cluster.masters()).map((node) => node.port)).toContain(replica.port);
  expect(await cluster.masters()).toHaveLength(3);

  // The crashed node comes back as a replica of the node that replaced it.
  const restarted = Date.now();
  await cluster.restartNode(master.port);
  timings.rejoinMs = Date.now() - restarted;
  expect((await cluster.replicas()).find((node) => node.port === master.port)?.masterId).toBe(replica.id);
  // Its own view agrees: ROLE is slave of the new master, with the link up and the data synced.
  const role = (await cluster.redisCli(master.port, 'ROLE')).split('\n');
  expect(role.slice(0, 4)).toEqual(['slave', '127.0.0.1', String(replica.port), 'connected']);
  expect(await cluster.redisCli(master.port, 'DBSIZE')).toBe(await cluster.redisCli(replica.port, 'DBSIZE'));
}, START_TIMEOUT_MS);

it('stops every node and starts them again with the same topology (keys are not persisted)', async () => {
  const before = await cluster.masters();
  await cluster.stopAll();
  for (const port of [cluster.ports[0], cluster.ports[5]]) expect(existsSync(join(cluster.dir, String(port), 'nodes.conf'))).toBe(true);

  const started = Date.now();
  await cluster.startAll();
  timings.restartAllMs = Date.now() - started;
  expect(await cluster.masters()).toEqual(before);
  expect(await cluster.replicas()).toHaveLength(3);
  // save "" + shutdown nosave: the cluster config survives, the data does not.
  expect([...(await cluster.keyCounts()).values()].reduce((a, b) => a + b, 0)).toBe(0);

  await retry(() => client.set('after-restart', 'yes'));
  expect(await client.get('after-restart')).toBe('yes');
}, START_TIMEOUT_MS);
