import { mkdtempSync, readFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { describeRun, runChild, spawnChild } from './children';
import { freePortBase } from './ports';
import { ROOT } from './processes';

/**
 * Drives a real six-node Redis Cluster (scripts/redis-cluster.sh) from jest e2e specs: start and
 * purge it, read its topology, crash and restart nodes, and move a slot by hand so a spec can see
 * both ASK and MOVED. Every admin command goes over a short-lived plain ioredis connection to one
 * node (never a Cluster client, which would follow redirects and hide what a node really says),
 * closed right after, so jest exits without open handles.
 *
 * Keys do not survive a node restart or stopAll/startAll: the script turns persistence off.
 *
 * The script runs with --attached: its nodes are not daemonized, so they stay in the script's
 * process group, which children.ts registered, and are killed with it after the test file
 * whatever failed. A node restarted by restartNode() is a registered child of its own.
 */

const SCRIPT = join(ROOT, 'scripts/redis-cluster.sh');
const HOST = '127.0.0.1';
const SLOTS = 16384;
/** Redis Cluster's bus port is the node's port plus this. */
const BUS_OFFSET = 10_000;
/** The script waits up to 30 s for cluster_state:ok (60 s for a stop); starting six nodes comes on top. */
const SCRIPT_TIMEOUT_MS = 120_000;

interface ClusterNode {
  id: string;
  port: number;
  /** e.g. ['myself', 'master'], ['slave'], ['master', 'fail'], ['slave', 'fail?']. */
  flags: string[];
  /** The master's id for a replica, null for a master. */
  masterId: string | null;
  linkState: string;
  /** Owned slot ranges, inclusive; migrating/importing markers ("[slot->-id]") are left out. */
  slots: Array<[number, number]>;
}

interface MasterInfo {
  id: string;
  port: number;
  slots: Array<[number, number]>;
}

interface ReplicaInfo {
  id: string;
  port: number;
  masterId: string;
}

export interface RedisClusterHandle {
  portBase: number;
  /** The per-cluster data dir (removed by stop()). */
  dir: string;
  ports: number[];
  /** "127.0.0.1:<port>" for each of the six nodes. */
  nodes: string[];
  /** Full CLUSTER NODES of the first node that answers. */
  clusterNodes(): Promise<ClusterNode[]>;
  /** Masters not flagged `fail`, by port. */
  masters(): Promise<MasterInfo[]>;
  /** Replicas not flagged `fail`, by port. */
  replicas(): Promise<ReplicaInfo[]>;
  /** DBSIZE of every master, by master port. */
  keyCounts(): Promise<Map<number, number>>;
  /** SIGKILL (a crash: no shutdown, no failover hand-off) via the node's pidfile. */
  killNode(port: number): Promise<void>;
  /** Starts a stopped or killed node from its own config; resolves once it rejoined and the cluster is ok. */
  restartNode(port: number, timeoutMs?: number): Promise<void>;
  /** Until every live node says cluster_state:ok, all agree on slot owners, and replicas are linked. */
  waitForClusterOk(timeoutMs?: number): Promise<void>;
  /** Until a replica of the dead master owns its slots and the live nodes are ok; ms counts from killNode. */
  waitForFailover(deadPort: number, timeoutMs?: number): Promise<{ newMasterPort: number; ms: number }>;
  /** Stops every node, keeping the data dir (ids, roles, slots). */
  stopAll(): Promise<void>;
  /** Starts them again; resolves once the cluster is ok. */
  startAll(): Promise<void>;
  /** Stops every node and deletes the data dir. Safe to call twice. */
  stop(): Promise<void>;
  keySlot(key: string): Promise<number>;
  ownerOfSlot(slot: number): Promise<MasterInfo>;
  /** Step 1 of a reshard: IMPORTING on the target, then MIGRATING on the source. */
  beginSlotMigration(slot: number, toPort: number): Promise<void>;
  /** Step 2: moves the slot's keys; from now on the source answers ASK for them. Returns how many moved. */
  migrateKeys(slot: number): Promise<number>;
  /** Step 3: SETSLOT NODE on every master; from now on the source answers MOVED. Waits until all nodes agree. */
  finishSlotMigration(slot: number): Promise<void>;
  /**
   * One command on one node, printed the way `redis-cli` prints replies when piped (one line per
   * array element, nil as an empty line). Unlike redis-cli, an error reply rejects.
   */
  redisCli(port: number, ...args: Array<string | number>): Promise<string>;
}

/**
 * Starts a cluster on ports portBase..portBase+5 (bus ports +10000) with its own data dir under
 * os.tmpdir(), so parallel jest workers never share one. Without a portBase, picks free ports
 * (ports.ts), and picks again when another process took one meanwhile.
 */
export async function startRedisCluster(portBase?: number): Promise<RedisClusterHandle> {
  for (let attempt = 1; ; attempt++) {
    const base = portBase ?? (await freePortBase(6, BUS_OFFSET));
    const cluster = new LocalRedisCluster(base, mkdtempSync(join(tmpdir(), `redis-cluster-${base}-`)));
    try {
      await cluster.script('start');
      return cluster;
    } catch (error) {
      await cluster.stop().catch(() => undefined); // leave no half-started nodes behind
      if (portBase !== undefined || attempt === 3 || !/in use by another process/.test(String(error))) throw error;
    }
  }
}

function parseClusterNodes(text: string): ClusterNode[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [id, addr, flags, master, , , , linkState, ...slotFields] = line.split(' ');
      return {
        id,
        port: Number(/:(\d+)@/.exec(addr)?.[1] ?? 0), // "127.0.0.1:7000@17000"; ":0@0" when unknown
        flags: flags.split(','),
        masterId: master === '-' ? null : master,
        linkState,
        slots: slotFields
          .filter((field) => !field.startsWith('['))
          .map((field) => {
            const [from, to = from] = field.split('-').map(Number);
            return [from, to] as [number, number];
          }),
      };
    });
}

/** What one node says about the cluster; null in a snapshot when the node does not answer. */
interface NodeView {
  port: number;
  info: Record<string, string>;
  replication: Record<string, string>;
  nodes: ClusterNode[];
}

interface Killed {
  id: string;
  slots: Array<[number, number]>;
  replicaIds: string[];
  at: number;
}

interface Migration {
  sourcePort: number;
  sourceId: string;
  targetPort: number;
  targetId: string;
}

class LocalRedisCluster implements RedisClusterHandle {
  readonly ports: number[];
  readonly nodes: string[];
  private readonly killed = new Map<number, Killed>();
  private readonly migrations = new Map<number, Migration>();

  constructor(
    readonly portBase: number,
    readonly dir: string,
  ) {
    this.ports = Array.from({ length: 6 }, (_, i) => portBase + i);
    this.nodes = this.ports.map((port) => `${HOST}:${port}`);
  }

  /** Runs scripts/redis-cluster.sh for this cluster; rejects with its output when it fails. */
  async script(...args: string[]): Promise<string> {
    const argv = [SCRIPT, ...args, '--attached', '--port-base', String(this.portBase), '--dir', this.dir];
    const result = await runChild('bash', argv, { timeoutMs: SCRIPT_TIMEOUT_MS });
    if (result.code !== 0) throw new Error(describeRun(`redis-cluster.sh ${args.join(' ')}`, result));
    return result.stdout;
  }

  async clusterNodes(): Promise<ClusterNode[]> {
    return parseClusterNodes(await this.onLiveNode((redis) => redis.call('CLUSTER', 'NODES') as Promise<string>));
  }

  async masters(): Promise<MasterInfo[]> {
    return (await this.clusterNodes())
      .filter((node) => node.flags.includes('master') && !node.flags.includes('fail'))
      .map(({ id, port, slots }) => ({ id, port, slots }))
      .sort((a, b) => a.port - b.port);
  }

  async replicas(): Promise<ReplicaInfo[]> {
    return (await this.clusterNodes())
      .filter((node) => node.flags.includes('slave') && !node.flags.includes('fail'))
      .map(({ id, port, masterId }) => ({ id, port, masterId: masterId ?? '' }))
      .sort((a, b) => a.port - b.port);
  }

  async keyCounts(): Promise<Map<number, number>> {
    const counts = new Map<number, number>();
    for (const master of await this.masters()) {
      counts.set(master.port, await withNode(master.port, (redis) => redis.dbsize()));
    }
    return counts;
  }

  async killNode(port: number): Promise<void> {
    // Remember what the node was, from its own view, so waitForFailover knows which slots and
    // which replicas to watch even after the rest of the cluster forgot it.
    const nodes = parseClusterNodes(await withNode(port, (redis) => redis.call('CLUSTER', 'NODES') as Promise<string>));
    const self = nodes.find((node) => node.flags.includes('myself'))!;
    const pid = Number(readFileSync(this.pidFile(port), 'utf8').trim());
    process.kill(pid, 'SIGKILL');
    this.killed.set(port, {
      id: self.id,
      slots: self.slots,
      replicaIds: nodes.filter((node) => node.masterId === self.id).map((node) => node.id),
      at: Date.now(),
    });
    // Wait on the ports, not the pid: a node whose script has exited is re-parented to PID 1, which
    // on some machines never reaps it, so the dead process lingers as a zombie that kill(pid, 0) still finds.
    await until(async () => !(await portOpen(port)) && !(await portOpen(port + 10000)), 5000, `port ${port} to close after SIGKILL`);
  }

  async restartNode(port: number, timeoutMs = 30_000): Promise<void> {
    if (await portOpen(port)) throw new Error(`port ${port} is already listening`);
    // Same config file the script wrote: same port, data dir and nodes.conf, so it rejoins as itself.
    const node = spawnChild('redis-server', [join(this.dir, String(port), 'redis.conf')], { stdio: 'ignore' });
    const died = new Promise<never>((_, reject) => {
      node.once('error', (error) => reject(new Error(`redis-server ${port}: ${error.message}`)));
      node.once('exit', (code) => reject(new Error(`redis-server ${port} exited with ${code}; see ${join(this.dir, String(port), 'redis.log')}`)));
    });
    died.catch(() => undefined); // an exit after the node rejoined (e.g. stop()) is no failure
    // Only now count it as expected-live again, so waitForClusterOk waits for it to answer and rejoin.
    this.killed.delete(port);
    await Promise.race([this.waitForClusterOk(timeoutMs), died]);
  }

  async waitForClusterOk(timeoutMs = 30_000): Promise<void> {
    const problem = async () => clusterProblem(await this.snapshot(), this.expectedLive());
    await until(async () => (await problem()) === null, timeoutMs, 'cluster_state:ok', problem);
  }

  async waitForFailover(deadPort: number, timeoutMs = 30_000): Promise<{ newMasterPort: number; ms: number }> {
    const dead = this.killed.get(deadPort);
    if (!dead) throw new Error(`port ${deadPort} was not killed with killNode()`);
    if (dead.slots.length === 0) throw new Error(`port ${deadPort} owned no slots: nothing to fail over`);
    let newMasterPort = 0;
    const failedOver = async (): Promise<string | null> => {
      const views = await this.snapshot();
      const live = views.filter((view): view is NodeView => view !== null);
      for (const view of live) {
        const gone = view.nodes.find((node) => node.id === dead.id);
        if (gone && !gone.flags.includes('fail')) return `${view.port} does not yet flag ${deadPort} as fail`;
        const owner = view.nodes.find((node) => node.flags.includes('master') && ownsSlot(node.slots, dead.slots[0][0]));
        if (!owner || !dead.replicaIds.includes(owner.id)) return `${view.port} does not yet see a replica of ${deadPort} own its slots`;
        newMasterPort = owner.port;
      }
      return clusterProblem(views, this.expectedLive());
    };
    await until(async () => (await failedOver()) === null, timeoutMs, `a replica to replace ${deadPort}`, failedOver);
    return { newMasterPort, ms: Date.now() - dead.at };
  }

  async stopAll(): Promise<void> {
    await this.script('stop');
  }

  async startAll(): Promise<void> {
    await this.script('start'); // waits for cluster_state:ok on all six itself
    this.killed.clear();
    await this.waitForClusterOk();
  }

  async stop(): Promise<void> {
    await this.script('stop', '--purge');
  }

  async keySlot(key: string): Promise<number> {
    return this.onLiveNode((redis) => redis.call('CLUSTER', 'KEYSLOT', key) as Promise<number>);
  }

  async ownerOfSlot(slot: number): Promise<MasterInfo> {
    const owner = (await this.masters()).find((master) => ownsSlot(master.slots, slot));
    if (!owner) throw new Error(`no master owns slot ${slot}`);
    return owner;
  }

  async beginSlotMigration(slot: number, toPort: number): Promise<void> {
    const source = await this.ownerOfSlot(slot);
    if (source.port === toPort) throw new Error(`slot ${slot} is already on ${toPort}`);
    const targetId = (await withNode(toPort, (redis) => redis.call('CLUSTER', 'MYID'))) as string;
    // Importing first, as the Redis docs say: a client sent by ASK to the target must find it ready.
    await withNode(toPort, (redis) => redis.call('CLUSTER', 'SETSLOT', slot, 'IMPORTING', source.id));
    await withNode(source.port, (redis) => redis.call('CLUSTER', 'SETSLOT', slot, 'MIGRATING', targetId));
    this.migrations.set(slot, { sourcePort: source.port, sourceId: source.id, targetPort: toPort, targetId });
  }

  async migrateKeys(slot: number): Promise<number> {
    const migration = this.migration(slot);
    let moved = 0;
    for (;;) {
      const keys = (await withNode(migration.sourcePort, (redis) => redis.call('CLUSTER', 'GETKEYSINSLOT', slot, 100))) as string[];
      if (keys.length === 0) return moved;
      // MIGRATE host port "" 0 timeout KEYS k...: the empty key slot means "use the KEYS list"; db is always 0 in a cluster.
      await withNode(migration.sourcePort, (redis) =>
        redis.call('MIGRATE', HOST, migration.targetPort, '', 0, 5000, 'KEYS', ...keys),
      );
      moved += keys.length;
    }
  }

  async finishSlotMigration(slot: number): Promise<void> {
    const migration = this.migration(slot);
    // Target first (it bumps its config epoch so its claim wins), then the source, then the other
    // masters; replicas learn it by gossip.
    const others = (await this.masters()).map((master) => master.port).filter((port) => port !== migration.sourcePort && port !== migration.targetPort);
    for (const port of [migration.targetPort, migration.sourcePort, ...others]) {
      await withNode(port, (redis) => redis.call('CLUSTER', 'SETSLOT', slot, 'NODE', migration.targetId));
    }
    this.migrations.delete(slot);
    const agreed = async (): Promise<string | null> => {
      for (const view of await this.snapshot()) {
        if (!view) continue;
        const owner = view.nodes.find((node) => node.flags.includes('master') && ownsSlot(node.slots, slot));
        if (owner?.id !== migration.targetId) return `${view.port} still sees slot ${slot} on ${owner?.port}`;
      }
      return null;
    };
    await until(async () => (await agreed()) === null, 10_000, `all nodes to see slot ${slot} on ${migration.targetPort}`, agreed);
  }

  async redisCli(port: number, ...args: Array<string | number>): Promise<string> {
    const [command, ...rest] = args;
    const reply = await withNode(port, (redis) => redis.call(String(command), ...rest));
    return formatReply(reply);
  }

  /** Every node except those killed and not restarted since. */
  private expectedLive(): number[] {
    return this.ports.filter((port) => !this.killed.has(port));
  }

  private pidFile(port: number): string {
    return join(this.dir, String(port), 'redis.pid');
  }

  private migration(slot: number): Migration {
    const migration = this.migrations.get(slot);
    if (!migration) throw new Error(`slot ${slot}: call beginSlotMigration first`);
    return migration;
  }

  /** Runs fn on the first node that answers (any node can answer topology questions). */
  private async onLiveNode<T>(fn: (redis: Redis) => Promise<T>): Promise<T> {
    let lastError: unknown;
    for (const port of this.ports) {
      if (!(await portOpen(port))) continue;
      try {
        return await withNode(port, fn);
      } catch (error) {
        lastError = error;
      }
    }
    throw new Error(`no node of ${this.nodes[0]}.. answers: ${String(lastError ?? 'all ports closed')}`);
  }

  /** Every node's view, null for nodes that do not answer. */
  private snapshot(): Promise<Array<NodeView | null>> {
    return Promise.all(
      this.ports.map(async (port) => {
        if (!(await portOpen(port))) return null;
        try {
          return await withNode(port, async (redis) => ({
            port,
            info: parseInfo((await redis.call('CLUSTER', 'INFO')) as string),
            replication: parseInfo(await redis.info('replication')),
            nodes: parseClusterNodes((await redis.call('CLUSTER', 'NODES')) as string),
          }));
        } catch {
          return null; // e.g. killed between the port check and the commands
        }
      }),
    );
  }
}

/**
 * Why the nodes are not (yet) one healthy cluster, or null when they are: every expected node
 * answers and says cluster_state:ok with all slots served, all agree who owns which slots, none
 * is flagged failing by another, every replica has its replication link up (so it could take over),
 * and each node's role is what the node itself says (a restarted master that turned replica is
 * still a master to the others until gossip tells them).
 */
function clusterProblem(views: Array<NodeView | null>, expectedLive: number[]): string | null {
  const live = views.filter((view): view is NodeView => view !== null);
  const missing = expectedLive.filter((port) => !live.some((view) => view.port === port));
  if (missing.length > 0) return `${missing.join(', ')} not answering`;
  if (live.length === 0) return 'no node answers';
  const liveIds = new Set<string>();
  for (const view of live) {
    if (view.info.cluster_state !== 'ok') return `${view.port}: cluster_state:${view.info.cluster_state}`;
    if (view.info.cluster_slots_ok !== String(SLOTS)) return `${view.port}: cluster_slots_ok:${view.info.cluster_slots_ok}`;
    if (view.replication.role === 'slave' && view.replication.master_link_status !== 'up') return `${view.port}: replica link down`;
    liveIds.add(view.nodes.find((node) => node.flags.includes('myself'))!.id);
  }
  const slotMap = (view: NodeView) =>
    view.nodes
      .filter((node) => node.flags.includes('master') && node.slots.length > 0)
      .map((node) => `${node.id}:${node.slots.map((range) => range.join('-')).join(',')}`)
      .sort()
      .join(' ');
  const reference = slotMap(live[0]);
  const role = (node: ClusterNode) => (node.flags.includes('master') ? 'master' : `replica of ${node.masterId}`);
  const ownRole = new Map(live.map((view) => view.nodes.find((node) => node.flags.includes('myself'))!).map((self) => [self.id, role(self)]));
  for (const view of live) {
    if (slotMap(view) !== reference) return `${view.port} and ${live[0].port} disagree on slot owners`;
    const suspect = view.nodes.find((node) => liveIds.has(node.id) && node.flags.some((flag) => flag === 'fail' || flag === 'fail?'));
    if (suspect) return `${view.port} flags live node ${suspect.port} as ${suspect.flags.join(',')}`;
    const stale = view.nodes.find((node) => ownRole.has(node.id) && role(node) !== ownRole.get(node.id));
    if (stale) return `${view.port} sees ${stale.port} as ${role(stale)}, which says it is ${ownRole.get(stale.id)}`;
  }
  return null;
}

function ownsSlot(slots: Array<[number, number]>, slot: number): boolean {
  return slots.some(([from, to]) => from <= slot && slot <= to);
}

function parseInfo(text: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const at = line.indexOf(':');
    if (at > 0 && !line.startsWith('#')) fields[line.slice(0, at)] = line.slice(at + 1);
  }
  return fields;
}

function formatReply(reply: unknown): string {
  if (reply === null || reply === undefined) return '';
  if (Array.isArray(reply)) return reply.map(formatReply).join('\n');
  if (Buffer.isBuffer(reply)) return reply.toString();
  return String(reply);
}

/**
 * One plain connection to one node, closed when fn settles. No reconnects, no offline queue and
 * a command timeout, so a dead or hung node fails fast instead of leaving timers behind.
 */
async function withNode<T>(port: number, fn: (redis: Redis) => Promise<T>): Promise<T> {
  const redis = new Redis({
    host: HOST,
    port,
    lazyConnect: true,
    connectTimeout: 2000,
    commandTimeout: 5000,
    maxRetriesPerRequest: 0,
    enableOfflineQueue: false,
    retryStrategy: () => null,
  });
  redis.on('error', () => undefined); // surfaced through the rejected command instead
  try {
    await redis.connect();
    return await fn(redis);
  } finally {
    redis.disconnect();
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port. */
function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: HOST, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** Polls check every 100 ms; on timeout rejects with what `why` says is still wrong. */
async function until(
  check: () => Promise<boolean>,
  timeoutMs: number,
  what: string,
  why?: () => Promise<string | null>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() >= deadline) {
      const reason = why ? await why().catch((error: unknown) => String(error)) : null;
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason ? `: ${reason}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
