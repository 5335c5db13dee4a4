import type { Cluster, Redis } from 'ioredis';
import { masterConnections } from './redis-connection';
import { withTimeout } from './with-timeout';

export type CacheHealth = 'ok' | 'degraded';

/**
 * Whether the shared tier is usable right now, for readiness and metrics. Pings every master on
 * an interval (a killed master shows up before ioredis notices, and a Redis that comes back is
 * seen without any request having to fail first). The timer is unref'd: it never keeps the
 * process alive.
 */
export class RedisHealth {
  private lastPingOk = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly listeners = new Set<(health: CacheHealth) => void>();
  private reported: CacheHealth | undefined;

  constructor(
    private readonly client: Redis | Cluster,
    private readonly intervalMs: number,
    private readonly timeoutMs: number,
  ) {}

  start(): void {
    void this.check();
    this.timer = setInterval(() => void this.check(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  get status(): CacheHealth {
    return this.lastPingOk && this.client.status === 'ready' ? 'ok' : 'degraded';
  }

  /** Called with the new status whenever it changes. */
  onChange(listener: (health: CacheHealth) => void): void {
    this.listeners.add(listener);
  }

  async check(): Promise<CacheHealth> {
    try {
      const masters = masterConnections(this.client);
      if (masters.length === 0 || this.client.status !== 'ready') throw new Error('not connected');
      await Promise.all(masters.map((node) => withTimeout(node.ping(), this.timeoutMs, 'ping timed out')));
      this.lastPingOk = true;
    } catch {
      this.lastPingOk = false;
    }
    const status = this.status;
    if (status !== this.reported) {
      this.reported = status;
      for (const listener of this.listeners) listener(status);
    }
    return status;
  }
}
