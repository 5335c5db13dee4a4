import type { Cluster, Redis } from 'ioredis';

/** Test-only: how a FakeRedis command misbehaves. */
export type Misbehaviour = 'fail' | 'hang';

type Command = 'get' | 'set' | 'del' | 'exists' | 'eval' | 'ping';

/** The only script the cache sends: RedisLock's compare-and-delete. */
const COMPARE_AND_DELETE = /^if redis\.call\('get', KEYS\[1\]\) == ARGV\[1\] then return redis\.call\('del', KEYS\[1\]\) else return 0 end$/;

/**
 * A Map-backed stand-in for the few ioredis commands the cache sends (GET, SET with PX/NX, DEL,
 * EXISTS, and EVAL of the lock's release script), with Redis's reply values. Expiry follows
 * Date.now(), so tests can move time with a mocked clock. Any command can be made to fail or hang.
 */
export class FakeRedis {
  readonly data = new Map<string, { value: string; expiresAt?: number }>();
  readonly log: string[] = [];
  readonly misbehave = new Map<Command, Misbehaviour>();
  status = 'ready';

  asClient(): Redis | Cluster {
    return this as unknown as Redis;
  }

  /** ioredis's connection events; the fake never emits any. */
  on(): this {
    return this;
  }

  ping(): Promise<string> {
    return this.run('ping', () => 'PONG');
  }

  async quit(): Promise<'OK'> {
    this.status = 'end';
    return 'OK';
  }

  disconnect(): void {
    this.status = 'end';
  }

  get(key: string): Promise<string | null> {
    return this.run('get', () => this.live(key)?.value ?? null);
  }

  set(key: string, value: string, ...args: Array<string | number>): Promise<'OK' | null> {
    return this.run('set', () => {
      let expiresAt: number | undefined;
      let onlyIfAbsent = false;
      for (let i = 0; i < args.length; i++) {
        const arg = String(args[i]).toUpperCase();
        if (arg === 'PX') expiresAt = Date.now() + Number(args[++i]);
        else if (arg === 'NX') onlyIfAbsent = true;
        else throw new Error(`FakeRedis: unsupported SET option ${arg}`);
      }
      if (onlyIfAbsent && this.live(key)) return null;
      this.data.set(key, { value, expiresAt });
      return 'OK';
    });
  }

  del(key: string): Promise<number> {
    return this.run('del', () => (this.live(key) && this.data.delete(key) ? 1 : 0));
  }

  exists(key: string): Promise<number> {
    return this.run('exists', () => (this.live(key) ? 1 : 0));
  }

  eval(script: string, numKeys: number, ...args: string[]): Promise<number> {
    return this.run('eval', () => {
      if (!COMPARE_AND_DELETE.test(script) || numKeys !== 1) throw new Error('FakeRedis: unknown script');
      const [key, token] = args;
      if (this.live(key)?.value !== token) return 0;
      this.data.delete(key);
      return 1;
    });
  }

  /** Makes every command fail or hang (undefined: behave again). */
  misbehaveAll(how: Misbehaviour | undefined): void {
    for (const command of ['get', 'set', 'del', 'exists', 'eval', 'ping'] as const) {
      if (how) this.misbehave.set(command, how);
      else this.misbehave.delete(command);
    }
  }

  /** When `key` expires (ms since the epoch), or undefined. */
  expiryOf(key: string): number | undefined {
    return this.live(key)?.expiresAt;
  }

  private live(key: string): { value: string; expiresAt?: number } | undefined {
    const entry = this.data.get(key);
    if (entry?.expiresAt !== undefined && entry.expiresAt <= Date.now()) {
      this.data.delete(key);
      return undefined;
    }
    return entry;
  }

  private async run<T>(command: Command, body: () => T): Promise<T> {
    this.log.push(command);
    const how = this.misbehave.get(command);
    if (how === 'fail') throw new Error(`FakeRedis: ${command} failed (connection refused)`);
    if (how === 'hang') return new Promise<T>(() => undefined);
    await Promise.resolve();
    return body();
  }
}
