import { createServer, type AddressInfo } from 'node:net';

/**
 * Ports for servers that must be told one (redis-server, Prometheus) instead of taking port 0.
 * Another process may take a port between the check and the bind: callers retry on "in use".
 */

/** A loopback port that was free a moment ago, from the kernel's ephemeral range. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await listen(server, 0);
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * A base such that base..base+count-1 and base+busOffset.. (Redis Cluster's bus ports) were all
 * free a moment ago. Drawn at random from 20000-22700, so that with the bus offset of 10000 every
 * port stays below Linux's ephemeral range (32768+), where outgoing connections take theirs.
 */
export async function freePortBase(count: number, busOffset: number): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const base = 20_000 + Math.floor(Math.random() * 2_700);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (await allFree([...ports, ...ports.map((port) => port + busOffset)])) return base;
  }
  throw new Error(`no free run of ${count} ports (and their bus ports) found in 20000-22700`);
}

async function allFree(ports: number[]): Promise<boolean> {
  const servers = ports.map(() => createServer());
  const bound = await Promise.allSettled(servers.map((server, i) => listen(server, ports[i])));
  await Promise.all(servers.map((server, i) => (bound[i].status === 'fulfilled' ? new Promise((resolve) => server.close(resolve)) : Promise.resolve())));
  return bound.every((result) => result.status === 'fulfilled');
}

function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
}
