/**
 * Stands in for the load runner in the load-runner image until loadtest/ has its own (issue 13,
 * item 5; LOAD_RUNNER in images.ts says what the image runs). It reads the settings the real one
 * reads (TARGET_URL, MODEL, API_KEY), sends REQUESTS chat completions one after another, prints
 * one JSON line and exits 0 only when every one was answered with 200.
 */
const target = (process.env.TARGET_URL || 'http://127.0.0.1:3000').replace(/\/+$/, '');
const model = process.env.MODEL || 'mock/mock-1';
const requests = Number(process.env.REQUESTS || '10');

async function main(): Promise<void> {
  if (!Number.isInteger(requests) || requests < 1) throw new Error(`REQUESTS: ${process.env.REQUESTS} is not a whole number above 0`);
  const statuses: Record<string, number> = {};
  for (let i = 0; i < requests; i++) {
    const response = await fetch(`${target}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(process.env.API_KEY ? { authorization: `Bearer ${process.env.API_KEY}` } : {}) },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: `load-runner stand-in request ${i}` }] }),
      signal: AbortSignal.timeout(30_000),
    });
    await response.arrayBuffer();
    statuses[response.status] = (statuses[response.status] ?? 0) + 1;
  }
  const ok = statuses['200'] ?? 0;
  process.stdout.write(`${JSON.stringify({ msg: 'load-runner stand-in done', target, model, requests, statuses })}\n`);
  process.exit(ok === requests ? 0 : 1);
}

main().catch((error: unknown) => {
  process.stderr.write(`load-runner stand-in failed: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
export {};
