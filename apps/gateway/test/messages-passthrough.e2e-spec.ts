import { NO_RETRY_NO_BREAKER, UPSTREAM_KEYS, fakeStats, providersAt, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * `/v1/messages` in front of an Anthropic backend passes the client's request through with
 * nothing lost (issue 12 item 1): the thinking blocks and their signatures, `cache_control` on
 * system, tools and messages, fields the gateway does not know and the `anthropic-beta` header
 * reach Anthropic as the client sent them (only `model` is the target's), and Anthropic's answer
 * comes back as it sent it, plain and streamed, event for event. The fake's Anthropic dialect
 * signs its thinking blocks and, like Anthropic, refuses a replayed one that changed in any byte.
 * When a fallback lands on a provider of another type, the canonical request is sent and the
 * answer is translated.
 */
const KEY = 'gw-passthrough-key';
const CLIENT_VERSION = '2026-10-21';
const CLIENT_BETAS = 'interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14';
let fake: RunningProcess;
let gateway: RunningProcess;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({
    resilience: NO_RETRY_NO_BREAKER,
    // On for every request, so that what it does with a native call shows: it lets it through.
    cache: { type: 'memory', cacheable: 'all' },
    providers: providersAt(fake.url),
    auth: { apiKeys: [KEY] },
    routing: { aliases: { 'claude-with-fallback': ['anthropic/claude-sonnet-4-5', 'openai/gpt-4o-mini'] } },
  });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

beforeEach(() => resetFake(fake.url));

const WEATHER = {
  name: 'get_weather',
  description: 'Current weather for a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  cache_control: { type: 'ephemeral' },
};
const SYSTEM = [{ type: 'text', text: 'You are terse.', cache_control: { type: 'ephemeral', ttl: '1h' } }];

/** A first turn with thinking on: its answer holds a signed thinking block. */
function firstTurn(model: string): Record<string, unknown> {
  return { model, max_tokens: 200, temperature: 1, thinking: { type: 'enabled', budget_tokens: 1024 }, system: SYSTEM, tools: [WEATHER], messages: [{ role: 'user', content: 'Hello there' }] };
}

/**
 * The next turn, as Claude Code sends it: the earlier answer (its thinking block and signature)
 * replayed, `cache_control` on a message block, and a field no canonical request has.
 */
function nextTurn(model: string, earlier: unknown[], stream = false): Record<string, unknown> {
  return {
    ...firstTurn(model),
    messages: [
      { role: 'user', content: [{ type: 'text', text: 'Hello there', cache_control: { type: 'ephemeral' } }] },
      { role: 'assistant', content: earlier },
      { role: 'user', content: 'And now?' },
    ],
    context_management: { edits: [{ type: 'clear_tool_uses_20250919' }] },
    ...(stream ? { stream: true } : {}),
  };
}

const CLIENT_HEADERS = { 'content-type': 'application/json', 'anthropic-version': CLIENT_VERSION, 'anthropic-beta': CLIENT_BETAS };

function viaGateway(text: string, auth: Record<string, string> = { 'x-api-key': KEY }): Promise<Response> {
  return fetch(`${gateway.url}/v1/messages`, { method: 'POST', headers: { ...CLIENT_HEADERS, ...auth }, body: text });
}

/** The same body straight to the fake's Anthropic dialect: what Anthropic itself answers. */
function direct(text: string): Promise<Response> {
  return fetch(`${fake.url}/v1/messages`, { method: 'POST', headers: { ...CLIENT_HEADERS, 'x-api-key': 'direct-key' }, body: text });
}

/** Message ids are the one thing two answers to the same request do not share. */
const sameIds = (text: string) => text.replace(/msg_[A-Za-z0-9]+/g, 'msg_ID');

type Block = { type: string; [field: string]: unknown };

/** An earlier answer of Anthropic's through the gateway: a signed thinking block, then the text. */
async function earlierAnswer(): Promise<Block[]> {
  const res = await viaGateway(JSON.stringify(firstTurn('anthropic/claude-sonnet-4-5')));
  expect(res.status).toBe(200);
  const content = ((await res.json()) as { content: Block[] }).content;
  expect(content[0]).toEqual({ type: 'thinking', thinking: expect.any(String), signature: expect.any(String) });
  return content;
}

describe('POST /v1/messages to an Anthropic backend: passed through', () => {
  it('answers the thinking block with its signature, exactly as Anthropic answered', async () => {
    const text = JSON.stringify(firstTurn('anthropic/claude-sonnet-4-5'));
    const res = await viaGateway(text);
    expect(res.status).toBe(200);
    expect(res.headers.get('x-llm-hub-provider')).toBe('anthropic');
    const body = (await res.json()) as { content: Block[] };
    expect(body.content.map((block) => block.type)).toEqual(['thinking', 'text']);
    expect(body.content[0].signature).toEqual(expect.any(String));
    const upstream: unknown = await (await direct(text.replace('"anthropic/claude-sonnet-4-5"', '"claude-sonnet-4-5"'))).json();
    expect(sameIds(JSON.stringify(body))).toBe(sameIds(JSON.stringify(upstream)));
  });

  it("sends the client's body byte for byte but for the model, with its anthropic-version and anthropic-beta and the gateway's own key", async () => {
    const text = JSON.stringify(nextTurn('anthropic/claude-sonnet-4-5', await earlierAnswer()));
    // The gateway key in both of the places Anthropic's clients put theirs: neither may go upstream.
    const res = await viaGateway(text, { 'x-api-key': KEY, authorization: `Bearer ${KEY}` });
    // The fake, like Anthropic, refuses a replayed thinking block that changed: a 200 says it did not.
    expect(res.status).toBe(200);
    const seen = (await fakeStats(fake.url)).lastRequest!;
    expect(seen.path).toBe('/v1/messages');
    expect(seen.text).toBe(text.replace('"model":"anthropic/claude-sonnet-4-5"', '"model":"claude-sonnet-4-5"'));
    expect(seen.headers['anthropic-beta']).toBe(CLIENT_BETAS);
    expect(seen.headers['anthropic-version']).toBe(CLIENT_VERSION);
    expect(seen.headers['x-api-key']).toBe(UPSTREAM_KEYS.anthropic);
    expect(seen.headers.authorization).toBeUndefined();
  });

  it('streams every upstream event as Anthropic sent it, thinking and signature deltas and pings included', async () => {
    const text = JSON.stringify(nextTurn('anthropic/claude-sonnet-4-5', await earlierAnswer(), true));
    const res = await viaGateway(text);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const streamed = await res.text();
    const seen = (await fakeStats(fake.url)).lastRequest!;
    expect(seen.text).toBe(text.replace('"model":"anthropic/claude-sonnet-4-5"', '"model":"claude-sonnet-4-5"'));
    const upstream = await (await direct(seen.text!)).text();
    expect(sameIds(streamed)).toBe(sameIds(upstream));
    for (const event of ['thinking_delta', 'signature_delta', 'event: ping']) expect(streamed).toContain(event);
  });

  it("answers Anthropic's refusal of a changed thinking block as Anthropic's 400, with its message", async () => {
    const [thinking, ...rest] = await earlierAnswer();
    const res = await viaGateway(JSON.stringify(nextTurn('anthropic/claude-sonnet-4-5', [{ ...thinking, signature: 'forged' }, ...rest])));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body.type).toBe('error');
    expect(body.error.type).toBe('invalid_request_error');
    expect(body.error.message).toContain('Invalid `signature` in `thinking` block');
  });

  it('never answers a native call from the response cache: each reaches Anthropic (a translated one is cached as before)', async () => {
    const text = JSON.stringify({ ...firstTurn('anthropic/claude-sonnet-4-5'), temperature: 0 });
    const first = await viaGateway(text);
    const second = await viaGateway(text);
    expect([first.status, second.status]).toEqual([200, 200]);
    expect([first.headers.get('x-llm-hub-cache'), second.headers.get('x-llm-hub-cache')]).toEqual(['UNCACHEABLE', 'UNCACHEABLE']);
    const [a, b] = (await Promise.all([first.json(), second.json()])) as Array<{ id: string }>;
    expect(a.id).not.toBe(b.id);
    expect((await fakeStats(fake.url)).byRoute).toEqual({ 'anthropic.messages': 2 });
    const translated = text.replace('"anthropic/claude-sonnet-4-5"', '"openai/gpt-4o-mini"');
    await viaGateway(translated);
    expect((await viaGateway(translated)).headers.get('x-llm-hub-cache')).toBe('HIT');
  });
});

describe('POST /v1/messages with a fallback from Anthropic to another provider type', () => {
  /** Anthropic fails the next request (529 overloaded), so the alias falls back to openai. */
  async function anthropicFailsOnce(): Promise<void> {
    await fetch(`${fake.url}/_fake/scenario`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ failNext: 1, status: 529 }) });
  }

  it('sends the fallback the canonical request and translates its answer', async () => {
    const earlier = await earlierAnswer();
    await anthropicFailsOnce();
    const res = await viaGateway(JSON.stringify(nextTurn('claude-with-fallback', earlier)));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-llm-hub-target')).toBe('openai/gpt-4o-mini');
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ type: 'message', role: 'assistant', model: 'claude-with-fallback', content: [{ type: 'text', text: 'Fake reply to: And now?' }], stop_reason: 'end_turn' });
    const seen = (await fakeStats(fake.url)).lastRequest!;
    expect(seen.path).toBe('/v1/chat/completions');
    // Thinking blocks cannot be verified by another provider: the translation leaves them out.
    expect(seen.text).not.toContain('signature');
    expect(seen.headers['anthropic-beta']).toBeUndefined();
  });

  it('streams the translated answer of the fallback as Anthropic events', async () => {
    const earlier = await earlierAnswer();
    await anthropicFailsOnce();
    const res = await viaGateway(JSON.stringify(nextTurn('claude-with-fallback', earlier, true)));
    expect(res.status).toBe(200);
    const events = [...(await res.text()).matchAll(/^event: (\w+)$/gm)].map((match) => match[1]);
    expect(events[0]).toBe('message_start');
    expect(events).toContain('content_block_delta');
    expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect((await fakeStats(fake.url)).lastRequest!.path).toBe('/v1/chat/completions');
  });
});
