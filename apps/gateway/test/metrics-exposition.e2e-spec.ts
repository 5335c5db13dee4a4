import { duplicateSeries, samples, scrape } from './support/observed';
import { providersAt, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { promtoolCheckMetrics } from './support/promtool';
import { postJson, readSse } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

/**
 * /metrics after traffic to several providers and models, on several routes, JSON and streams,
 * hits and errors: what a real gateway exports, read as Prometheus would read it. Regression:
 * `llm_hub_gateway_overhead_seconds{route}` was exported once per model with the same labels, so
 * Prometheus kept one model's traffic and the overhead panel showed only that.
 */

const MODELS = ['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'google/gemini-2.0-flash', 'azure/gpt-4o-mini', 'vllm/meta-llama/Llama-3.1-8B-Instruct'];
const CHAT = '/v1/chat/completions';

let fake: RunningProcess | undefined;
let gateway: RunningProcess | undefined;
/** Answered requests that went upstream, by route (what the overhead histogram must count). */
const upstreamRequests: Record<string, number> = {};
let exposition = '';

async function chat(model: string, content: string): Promise<{ status: number; cache: string | null }> {
  // temperature 0: deterministic, so cacheable under the default policy (the exposition needs hits).
  const response = await postJson(`${gateway!.url}${CHAT}`, { model, temperature: 0, messages: [{ role: 'user', content }] });
  await response.arrayBuffer();
  return { status: response.status, cache: response.headers.get('x-llm-hub-cache') };
}

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({ providers: providersAt(fake.url) });
  const count = (route: string) => (upstreamRequests[route] = (upstreamRequests[route] ?? 0) + 1);

  for (const model of MODELS) {
    expect(await chat(model, `json for ${model}`)).toEqual({ status: 200, cache: 'MISS' });
    count(CHAT);
    expect(await chat(model, `json for ${model}`)).toEqual({ status: 200, cache: 'HIT' });
    const streamed = await readSse(`${gateway.url}${CHAT}`, { model, stream: true, temperature: 0, messages: [{ role: 'user', content: `stream for ${model}` }] });
    expect(streamed.status).toBe(200);
    count(CHAT);
    expect((await chat(model, `[[fake status=400]] bad for ${model}`)).status).toBe(400);
    count(CHAT);
  }
  const hub = await postJson(`${gateway.url}/api/complete`, { model: MODELS[0], messages: [{ role: 'user', content: 'hub route' }] });
  expect(hub.status).toBe(200);
  count('/api/complete');
  // Before routing: counted under provider and model `none`, never upstream.
  expect((await chat('no-such-provider/x', 'unroutable')).status).toBe(404);

  exposition = await scrape(gateway);
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

it('exports every series once (same name and labels never twice)', () => {
  expect(samples(exposition).length).toBeGreaterThan(100);
  expect(duplicateSeries(exposition)).toEqual([]);
});

it('counts the overhead of every model’s upstream requests in one series per route', () => {
  const counts = samples(exposition).filter((s) => s.name === 'llm_hub_gateway_overhead_seconds_count');
  expect(Object.fromEntries(counts.map((s) => [s.labels.route, s.value]))).toEqual(upstreamRequests);
});

it('passes promtool check metrics', async () => {
  expect(await promtoolCheckMetrics(exposition)).toEqual({ code: 0, complaints: [] });
}, 30_000);
