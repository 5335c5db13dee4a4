import { Cluster, Redis, type ClusterOptions, type RedisOptions } from 'ioredis';

export interface RedisConnectionOptions {
  /** `redis://` or `rediss://` URL of a single node (type redis). */
  url?: string;
  /** `host:port` of one or more cluster nodes (type redis-cluster); the rest are discovered. */
  nodes?: string[];
  username?: string;
  password?: string;
  tls?: boolean;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
}

/**
 * An ioredis client set up to fail open, never to queue: a cache that waits for Redis would
 * turn a Redis blip into gateway latency.
 * - no offline queue (Cluster and nodes): a command to a node that is down fails at once;
 * - a per-command timeout of tens of milliseconds;
 * - reconnects forever with a capped backoff, so the cache comes back without a restart;
 * - Cluster: reads and writes on masters (a replica may lag behind a fresh write), MOVED and
 *   ASK redirections followed by ioredis, slots refreshed periodically and after failover.
 */
export function createRedisClient(options: RedisConnectionOptions): Redis | Cluster {
  const nodeOptions: RedisOptions = {
    username: options.username,
    password: options.password,
    tls: options.tls ? {} : undefined,
    connectTimeout: options.connectTimeoutMs,
    commandTimeout: options.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (times) => Math.min(50 * times, 1000),
  };
  if (options.nodes && options.nodes.length > 0) {
    const clusterOptions: ClusterOptions = {
      enableOfflineQueue: false,
      scaleReads: 'master',
      maxRedirections: 8,
      retryDelayOnFailover: 20,
      retryDelayOnClusterDown: 20,
      retryDelayOnTryAgain: 20,
      slotsRefreshTimeout: Math.max(options.connectTimeoutMs, 500),
      slotsRefreshInterval: 2000,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      redisOptions: nodeOptions,
    };
    return new Cluster(options.nodes.map(parseNode), clusterOptions);
  }
  if (!options.url) throw new Error('redis: either url or nodes is required');
  return new Redis(options.url, nodeOptions);
}

function parseNode(node: string): { host: string; port: number } {
  const at = node.lastIndexOf(':');
  return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
}

/** Every master a client talks to (the one node for a single Redis). */
export function masterConnections(client: Redis | Cluster): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
