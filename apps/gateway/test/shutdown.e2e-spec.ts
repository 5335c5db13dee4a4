import { eventually, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS } from './support/timeouts';

const slowMock = (drainTimeoutMs: number) => ({
  server: { drainTimeoutMs },
  providers: { mock: { type: 'mock', chunkCount: 20, chunkDelayMs: 100 } },
});

const streamBody = JSON.stringify({ model: 'mock/mock-1', stream: true, messages: [{ role: 'user', content: 'a slow story' }] });

/** Starts a stream and resolves once its first chunk arrived: the request is in flight. */
async function streamInFlight(gateway: RunningProcess): Promise<{ status: number; rest: Promise<string> }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamBody });
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  const first = await reader.read();
  const rest = (async () => {
    let text = first.done ? '' : decoder.decode(first.value, { stream: true });
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) text += decoder.decode(chunk.value, { stream: true });
    return text + decoder.decode();
  })();
  return { status: response.status, rest };
}

/** Whether a new connection to the gateway is refused (its listener closed). */
const refused = (gateway: RunningProcess) => fetch(`${gateway.url}/health/live`).then(() => false, () => true);

describe('SIGTERM', () => {
  it('lets an in-flight stream finish, refuses new work, and exits 0', async () => {
    const gateway = await startGateway(slowMock(10_000));
    const stream = await streamInFlight(gateway);
    expect(stream.status).toBe(200);
    gateway.child.kill('SIGTERM');
    // New connections are refused once the listener is closed.
    expect(await eventually(() => refused(gateway), Boolean)).toBe(true);
    const text = await stream.rest;
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('"finish_reason":"stop"');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('"msg":"draining"');
  }, START_TIMEOUT_MS);

  it('aborts what is still running when the drain timeout passes, ending streams with an error event', async () => {
    const gateway = await startGateway(slowMock(400));
    const stream = await streamInFlight(gateway);
    gateway.child.kill('SIGTERM');
    const text = await stream.rest;
    expect(text).toContain('"code":"shutting_down"');
    expect(text).not.toContain('[DONE]');
    expect(await gateway.exited).toBe(0);
  }, START_TIMEOUT_MS);

  it('exits 0 at once when idle', async () => {
    const gateway = await startGateway(slowMock(10_000));
    expect(await gateway.stop('SIGTERM')).toBe(0);
    expect(gateway.output()).toContain('"msg":"stopped"');
  }, START_TIMEOUT_MS);
});
