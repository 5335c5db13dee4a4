/**
 * What a long conversation costs the gateway before any upstream call: gateway CPU per request
 * for conversations of 64 to 4,000 messages (parse, depth check, validation, cache key,
 * translation), through the fake provider, uncached. The per-message cost should stay flat as
 * conversations grow (linear work); docs/configuration.md uses it to size the message limit.
 *
 * Run: `make build && node dist/bench/request-size-cost.js`. Bounded: a few hundred requests.
 */
import { cpuSeconds } from './cpu';
import { GATEWAY_MODEL, startFakeProvider, startGateway, type Child } from './processes';

const SIZES = [64, 256, 1_024, 4_000];
/** Messages sent per size, spread over enough requests to rise above /proc's 10 ms CPU clock. */
const MESSAGES_PER_SIZE = 400_000;
const WARMUP_REQUESTS = 10;

function conversation(messages: number): string {
  const turns = Array.from({ length: messages - 1 }, (_, i) => ({ role: i % 2 ? 'assistant' : 'user', content: `turn number ${i} of the conversation` }));
  return JSON.stringify({ model: GATEWAY_MODEL, messages: [...turns, { role: 'user', content: 'hi' }] });
}

async function post(url: string, body: string): Promise<void> {
  const response = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(30_000) });
  await response.text();
  if (response.status !== 200) throw new Error(`HTTP ${response.status}`);
}

async function main(): Promise<void> {
  const children: Child[] = [];
  try {
    const fake = await startFakeProvider();
    children.push(fake);
    const gateway = await startGateway(fake.url);
    children.push(gateway);
    process.stdout.write('| messages | body KiB | gateway CPU ms per request | µs per message |\n|---:|---:|---:|---:|\n');
    for (const size of SIZES) {
      const body = conversation(size);
      for (let i = 0; i < WARMUP_REQUESTS; i++) await post(gateway.url, body);
      const requests = Math.max(20, Math.round(MESSAGES_PER_SIZE / size));
      const before = cpuSeconds(gateway.pid) ?? NaN;
      for (let i = 0; i < requests; i++) await post(gateway.url, body);
      const ms = (1000 * ((cpuSeconds(gateway.pid) ?? NaN) - before)) / requests;
      process.stdout.write(`| ${size} | ${(body.length / 1024).toFixed(0)} | ${ms.toFixed(2)} | ${((1000 * ms) / size).toFixed(2)} |\n`);
    }
  } finally {
    for (const child of children.reverse()) await child.stop('SIGTERM', 2_000);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
