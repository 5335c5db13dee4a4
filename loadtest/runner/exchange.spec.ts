import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { Agent } from 'undici';
import { chatRequest } from '../scenarios/chat';
import { settingsFrom } from '../scenarios/settings';
import { exchange } from './exchange';

/**
 * The exchange over a real socket, against a server that streams like the gateway: a role chunk at
 * once, the content after a pause, usage, [DONE].
 */
const PAUSE_MS = 150;
const chunk = (delta: object) => `data: ${JSON.stringify({ choices: [{ index: 0, delta }] })}\n\n`;

let server: Server;
let agent: Agent;
let url: string;

beforeAll(async () => {
  server = createServer((request, response) => {
    void (async () => {
      if (request.url?.endsWith('/hang')) return; // never answers
      response.writeHead(200, { 'content-type': 'text/event-stream', 'x-llm-hub-cache': 'MISS' });
      response.write(chunk({ role: 'assistant', content: '' }));
      await sleep(PAUSE_MS);
      response.write(chunk({ content: 'Hello' }));
      response.write(chunk({ content: ' world' }));
      response.write(`data: ${JSON.stringify({ choices: [], usage: { completion_tokens: 2 } })}\n\n`);
      response.end('data: [DONE]\n\n');
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  agent = new Agent();
});

afterAll(async () => {
  await agent.destroy();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('one exchange', () => {
  it('measures the time to the first content token of a stream, not to its first byte', async () => {
    const request = chatRequest(settingsFrom({ TARGET_URL: url }), 'hi', true);
    const result = await exchange(agent, request, 10_000, new AbortController().signal);
    expect(result.answer).toMatchObject({ status: 200, cache: 'MISS', content: 'Hello world', complete: true, completionTokens: 2 });
    // The role chunk came at once; the first content only after the pause.
    expect(result.ttftMs).toBeGreaterThanOrEqual(PAUSE_MS - 5);
    expect(result.durationMs).toBeGreaterThanOrEqual(result.ttftMs!);
  });

  it('turns a request that outlives TIMEOUT into a transport error "timeout", and a stop into an interruption', async () => {
    const request = { ...chatRequest(settingsFrom({ TARGET_URL: url }), 'hi', false), url: `${url}/hang` };
    const timedOut = await exchange(agent, request, 100, new AbortController().signal);
    expect(timedOut).toMatchObject({ transportError: 'timeout', interrupted: false, durationMs: undefined, answer: { status: 0 } });
    const stop = new AbortController();
    const pending = exchange(agent, request, 10_000, stop.signal);
    stop.abort();
    expect(await pending).toMatchObject({ interrupted: true });
  });
});
