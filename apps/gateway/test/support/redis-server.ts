import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signalChild, spawnChild } from './children';
import { freePort } from './ports';
import { READY_TIMEOUT_MS } from './timeouts';

/** A single throwaway redis-server (Debian's, scripts/install-redis.sh): no RDB, no AOF. */
export interface RedisServerHandle {
  port: number;
  /** redis://127.0.0.1:<port> */
  url: string;
  /** Everything it logged (for failure messages). */
  output(): string;
  /** SIGTERM, SIGKILL after 5 s; deletes its data dir. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts redis-server on a free loopback port and resolves once it accepts connections. A port
 * taken between freePort() and redis binding it is retried on another.
 */
export async function startRedisServer(): Promise<RedisServerHandle> {
  let lastError: unknown;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await launch(await freePort());
    } catch (error) {
      lastError = error;
      if (!/Address already in use/.test(String(error))) throw error;
    }
  }
  throw lastError;
}

function launch(port: number): Promise<RedisServerHandle> {
  const dir = mkdtempSync(join(tmpdir(), 'llm-hub-redis-'));
  const child = spawnChild('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        signalChild(child, 'SIGTERM');
        const timer = setTimeout(() => signalChild(child, 'SIGKILL'), 5000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    })());
  return new Promise((resolve, reject) => {
    const fail = (why: string) => {
      clearTimeout(timer);
      void stop().then(() => reject(new Error(`redis-server on 127.0.0.1:${port} ${why}:\n${output}`)));
    };
    const timer = setTimeout(() => fail(`not ready within ${READY_TIMEOUT_MS} ms`), READY_TIMEOUT_MS);
    const onData = (data: Buffer) => {
      output += data.toString();
      if (!output.includes('Ready to accept connections')) return;
      clearTimeout(timer);
      resolve({ port, url: `redis://127.0.0.1:${port}`, output: () => output, stop });
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (error) => fail(`could not start: ${error.message} (run scripts/install-redis.sh)`));
    child.once('exit', (code) => fail(`exited with ${code}`));
  });
}
