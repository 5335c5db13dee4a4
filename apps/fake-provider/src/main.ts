/**
 * Runs the fake provider as a process: `PORT=0 node dist/apps/fake-provider/src/main.js`.
 * The single JSON line on stdout is the contract with whoever spawned it (e2e tests, the
 * benchmark): it carries the port actually bound, which matters when PORT=0, and `h2cPort` when
 * H2C_PORT asked for the cleartext HTTP/2 listener too.
 */
import { createFakeProviderServer } from './fake-provider.server';

function portFromEnv(value: string | undefined, name = 'PORT'): number {
  if (value === undefined || value === '') return 0;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`Invalid ${name}: ${value}`);
  return port;
}

async function main(): Promise<void> {
  const fake = createFakeProviderServer({ host: process.env.FAKE_PROVIDER_HOST || '127.0.0.1' });
  const port = await fake.listen(portFromEnv(process.env.PORT));
  const h2cPort = process.env.H2C_PORT === undefined || process.env.H2C_PORT === '' ? undefined : await fake.listenH2c(portFromEnv(process.env.H2C_PORT, 'H2C_PORT'));
  process.stdout.write(`${JSON.stringify({ msg: 'listening', port, ...(h2cPort === undefined ? {} : { h2cPort }) })}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // close() drops open connections, so it is quick; the timer only guards against the unexpected.
    setTimeout(() => process.exit(0), 2_000).unref();
    void fake.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`fake-provider failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
