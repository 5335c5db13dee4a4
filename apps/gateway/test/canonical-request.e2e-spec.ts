import { NO_RETRY_NO_BREAKER, fakeStats, providersAt, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * The gateway accepts what the canonical request (libs/core's one schema) accepts: a field the
 * library takes and a provider understands also works over HTTP. Anthropic's prompt caching,
 * `cache_control` on content parts and messages, used to get a 400 from the gateway's own,
 * stricter schema.
 */
let fake: RunningProcess | undefined;
let gateway: RunningProcess | undefined;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: providersAt(fake.url), resilience: NO_RETRY_NO_BREAKER, cache: { type: 'none' } });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

beforeEach(() => resetFake(fake!.url));

const longPrompt = 'You are a careful assistant. '.repeat(50);

describe('cache_control', () => {
  it('reaches Anthropic on system and user content parts', async () => {
    const response = await postJson(`${gateway!.url}/v1/chat/completions`, {
      model: 'anthropic/claude-sonnet-4-5',
      messages: [
        { role: 'system', content: [{ type: 'text', text: longPrompt, cache_control: { type: 'ephemeral', ttl: '1h' } }] },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Here is a document.', cache_control: { type: 'ephemeral' } },
            { type: 'text', text: 'Summarise it.' },
          ],
        },
      ],
      max_tokens: 50,
    });
    expect(response.status).toBe(200);

    const { lastRequest } = await fakeStats(fake!.url);
    expect(lastRequest!.path).toBe('/v1/messages');
    const sent = lastRequest!.body as { system: unknown; messages: Array<{ content: unknown }> };
    expect(sent.system).toEqual([{ type: 'text', text: longPrompt, cache_control: { type: 'ephemeral', ttl: '1h' } }]);
    expect(sent.messages[0].content).toEqual([
      { type: 'text', text: 'Here is a document.', cache_control: { type: 'ephemeral' } },
      { type: 'text', text: 'Summarise it.' },
    ]);
  });

  it('reaches Anthropic from a whole system or user message, on its last block', async () => {
    const response = await postJson(`${gateway!.url}/v1/chat/completions`, {
      model: 'anthropic/claude-sonnet-4-5',
      messages: [
        { role: 'system', content: longPrompt, cache_control: { type: 'ephemeral' } },
        { role: 'user', content: 'Summarise it.', cache_control: { type: 'ephemeral', ttl: '5m' } },
      ],
      max_tokens: 50,
    });
    expect(response.status).toBe(200);

    const sent = (await fakeStats(fake!.url)).lastRequest!.body as { system: unknown; messages: Array<{ content: unknown }> };
    expect(sent.system).toEqual([{ type: 'text', text: longPrompt, cache_control: { type: 'ephemeral' } }]);
    expect(sent.messages[0].content).toEqual([{ type: 'text', text: 'Summarise it.', cache_control: { type: 'ephemeral', ttl: '5m' } }]);
  });

  it('is checked like any other field: a cache_control Anthropic does not know is a 400 naming the content', async () => {
    const response = await postJson(`${gateway!.url}/v1/chat/completions`, {
      model: 'anthropic/claude-sonnet-4-5',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'forever' } }] }],
    });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: unknown }).error).toMatchObject({ type: 'invalid_request_error', code: 'invalid_value', param: 'messages[0].content' });
    expect((await fakeStats(fake!.url)).requests).toBe(0);
  });
});
