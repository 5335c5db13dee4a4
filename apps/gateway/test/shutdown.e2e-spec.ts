import { startGateway } from './support/processes';

const slowMock = (drainTimeoutMs: number) => ({
  server: { drainTimeoutMs },
  providers: { mock: { type: 'mock', chunkCount: 20, chunkDelayMs: 100 } },
});

const streamBody = JSON.stringify({ model: 'mock/mock-1', stream: true, messages: [{ role: 'user', content: 'a slow story' }] });

async function readAll(response: Response): Promise<string> {
  return await response.text();
}

describe('SIGTERM', () => {
  it('lets an in-flight stream finish, refuses new work, and exits 0', async () => {
    const gateway = await startGateway(slowMock(10_000));
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamBody });
    expect(response.status).toBe(200);
    const body = readAll(response);
    await new Promise((r) => setTimeout(r, 300));
    gateway.child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    // New connections are refused once the listener is closed.
    await expect(fetch(`${gateway.url}/health/live`)).rejects.toThrow();
    const text = await body;
    expect(text.trimEnd().endsWith('data: [DONE]')).toBe(true);
    expect(text).toContain('"finish_reason":"stop"');
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('"msg":"draining"');
  });

  it('aborts what is still running when the drain timeout passes, ending streams with an error event', async () => {
    const gateway = await startGateway(slowMock(400));
    const response = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: streamBody });
    const body = readAll(response);
    await new Promise((r) => setTimeout(r, 200));
    gateway.child.kill('SIGTERM');
    const text = await body;
    expect(text).toContain('"code":"shutting_down"');
    expect(text).not.toContain('[DONE]');
    expect(await gateway.exited).toBe(0);
  });

  it('exits 0 at once when idle', async () => {
    const gateway = await startGateway(slowMock(10_000));
    expect(await gateway.stop('SIGTERM')).toBe(0);
    expect(gateway.output()).toContain('"msg":"stopped"');
  });
});
