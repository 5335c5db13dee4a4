/**
 * Memory and time bounds on what upstreams send (docs/configuration.md, "Upstream limits"), through
 * a real gateway in front of a real fake provider: answers and stream events over the size limits,
 * streams the cache must not keep, and upstreams that stall or drip. Memory is the gateway's peak
 * resident set (VmHWM, reset before each case), with bounds far below what keeping the answer
 * would cost; nothing here measures time.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { eventually, fakeStats, providersAt, resetFake, startFakeProvider, startGateway, type RunningProcess } from './support/processes';
import { postJson } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';
import { PRODUCTION_HEAP_ARGS } from '../../../scripts/lib/production-heap';

const MiB = 1024 * 1024;
const LIMITS = { maxResponseBytes: 4 * MiB, maxEventBytes: 1 * MiB, streamHeadersTimeoutMs: 1000, bodyIdleTimeoutMs: 1500 };
const FIRST_TOKEN_MS = 3000;
/** Each case's own limit: jest's `testTimeout` is a global option, and these wait out real timeouts. */
const CASE_MS = 60_000;
/**
 * Far below the size of any answer these tests send, above what the gateway needs to pass one on
 * (mostly V8's young generation filling with the garbage of passed-on chunks;
 * docs/benchmarks.md#measurements-behind-code-choices).
 */
const PEAK_GROWTH_BOUND = 96 * MiB;

let fake: RunningProcess;
let gateway: RunningProcess;

beforeAll(async () => {
  fake = await startFakeProvider();
  gateway = await startGateway({
    providers: providersAt(fake.url),
    upstream: LIMITS,
    // Retries stay on (two attempts), so "no retry" below is a decision, not the absence of retries.
    resilience: { defaults: { retry: { maxAttempts: 2, initialDelayMs: 10, maxDelayMs: 20 }, timeout: { firstTokenMs: FIRST_TOKEN_MS } } },
    cache: { type: 'memory', maxEntryBytes: 256 * 1024 },
    // The heap bound a pod has: the memory bounds below are about what the gateway holds, and
    // without it V8 lets promoted garbage reach hundreds of MiB before its first full collection.
  }, { NODE_OPTIONS: PRODUCTION_HEAP_ARGS.join(' ') });
}, START_TIMEOUT_MS);

afterAll(async () => {
  await gateway?.stop();
  await fake?.stop();
}, STOP_TIMEOUT_MS);

beforeEach(() => resetFake(fake.url));

type ErrorBody = { error: { message: string; type: string; param: null; code: string } };

const ask = (model: string, content: string, extra: object = {}, headers: Record<string, string> = {}) =>
  postJson(`${gateway.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content }], ...extra }, { 'x-request-id': 'limits-1', ...headers });

/** A /proc/<pid>/status field in bytes. */
function statusBytes(field: 'VmRSS' | 'VmHWM'): number {
  const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, 'm').exec(readFileSync(`/proc/${gateway.child.pid}/status`, 'utf8'));
  if (!match) throw new Error(`no ${field} in /proc/${gateway.child.pid}/status`);
  return Number(match[1]) * 1024;
}

/** How far the gateway's resident set rose above where it was while `run` ran (peak, not a sample). */
async function peakGrowth(run: () => Promise<void>): Promise<number> {
  writeFileSync(`/proc/${gateway.child.pid}/clear_refs`, '5'); // restart VmHWM from the current RSS
  const before = statusBytes('VmRSS');
  await run();
  return statusBytes('VmHWM') - before;
}

/** Reads a (large) body to its end without keeping it: its size and its last bytes. */
async function drain(response: Response): Promise<{ bytes: number; tail: string }> {
  let bytes = 0;
  let tail = '';
  const decoder = new TextDecoder();
  for await (const piece of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += piece.length;
    tail = (tail + decoder.decode(piece, { stream: true })).slice(-4096);
  }
  return { bytes, tail };
}

async function expectOneUpstreamCall(): Promise<void> {
  // The gateway aborted the answer it refused; that abort is the one request the fake saw.
  const stats = await eventually(() => fakeStats(fake.url), (s) => s.inFlight === 0);
  expect(stats).toMatchObject({ requests: 1, inFlight: 0 });
}

describe('an answer over upstream.maxResponseBytes', () => {
  it.each(['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku-latest', 'google/gemini-2.0-flash', 'azure/gpt-4o-mini'])(
    '%s: 502 upstream_response_too_large, one upstream call, memory bounded',
    async (model) => {
      let response!: Response;
      const growth = await peakGrowth(async () => {
        response = await ask(model, 'hi [[fake size=268435456]]'); // 256 MiB
      });
      expect(response.status).toBe(502);
      expect(response.headers.get('x-request-id')).toBe('limits-1');
      const body = (await response.json()) as ErrorBody;
      expect(body.error).toMatchObject({ type: 'api_error', code: 'upstream_response_too_large', param: null });
      expect(body.error.message).toContain(`${LIMITS.maxResponseBytes} bytes (upstream.maxResponseBytes)`);
      await expectOneUpstreamCall();
      expect(growth).toBeLessThan(PEAK_GROWTH_BOUND);
    },
    CASE_MS,
  );
});

describe('a stream event over upstream.maxEventBytes', () => {
  it('before the first chunk: 502 upstream_response_too_large, one upstream call, memory bounded', async () => {
    // Gemini's first event is its first content: the oversized line comes before anything was sent.
    let response!: Response;
    const growth = await peakGrowth(async () => {
      response = await ask('google/gemini-2.0-flash', 'hi [[fake event-size=67108864]]', { stream: true }); // 64 MiB
    });
    expect(response.status).toBe(502);
    expect(response.headers.get('x-request-id')).toBe('limits-1');
    expect(((await response.json()) as ErrorBody).error).toMatchObject({ type: 'api_error', code: 'upstream_response_too_large' });
    await expectOneUpstreamCall();
    expect(growth).toBeLessThan(PEAK_GROWTH_BOUND);
  }, CASE_MS);

  it('after the first chunk: the stream ends with an upstream_response_too_large error event, no [DONE]', async () => {
    const response = await ask('openai/gpt-4o-mini', 'hi [[fake event-size=67108864]]', { stream: true });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-request-id')).toBe('limits-1');
    const { tail } = await drain(response);
    expect(tail).toContain('"code":"upstream_response_too_large"');
    expect(tail).not.toContain('[DONE]');
    await expectOneUpstreamCall();
  }, CASE_MS);
});

describe('streams the cache does not keep', () => {
  const STREAM_BYTES = 192 * MiB;

  it.each([
    ['under Cache-Control: no-store', { 'cache-control': 'no-store' }],
    ['over cache.maxEntryBytes', {}],
  ])('a 192 MiB stream %s is passed on whole, without the gateway holding it', async (_name, headers) => {
    let response!: Response;
    let received!: { bytes: number; tail: string };
    const growth = await peakGrowth(async () => {
      // temperature 0: cacheable by policy, so only no-store or the size keeps it out of the cache.
      response = await ask('openai/gpt-4o-mini', `hi [[fake size=${STREAM_BYTES}]]`, { stream: true, temperature: 0 }, headers);
      received = await drain(response);
    });
    expect(response.status).toBe(200);
    expect(received.bytes).toBeGreaterThan(STREAM_BYTES);
    expect(received.tail).toContain('data: [DONE]');
    expect(growth).toBeLessThan(PEAK_GROWTH_BOUND);
    // Not stored either: the same question goes upstream again.
    const again = await ask('openai/gpt-4o-mini', `hi [[fake size=${STREAM_BYTES}]]`, { stream: true, temperature: 0 });
    expect(again.headers.get('x-llm-hub-cache')).toBe('MISS');
    await again.body?.cancel();
  }, CASE_MS);
});

describe('stalled upstreams get a 504 naming the configured timeout', () => {
  async function expect504(response: Response, code: string, message: string): Promise<void> {
    expect(response.status).toBe(504);
    expect(response.headers.get('x-request-id')).toBe('limits-1');
    const body = (await response.json()) as ErrorBody;
    expect(body.error).toMatchObject({ type: 'timeout_error', code });
    expect(body.error.message).toContain(message);
    // Each attempt was given up at the fake, none left running.
    await eventually(() => fakeStats(fake.url), (s) => s.inFlight === 0);
    expect((await fakeStats(fake.url)).inFlight).toBe(0);
  }

  it('JSON: headers, then nothing (upstream.bodyIdleTimeoutMs)', async () => {
    await expect504(await ask('openai/gpt-4o-mini', 'hi [[fake stall]]'), 'upstream_timeout', `sent nothing more of its answer for ${LIMITS.bodyIdleTimeoutMs} ms`);
  }, CASE_MS);

  it('stream: no headers (upstream.streamHeadersTimeoutMs)', async () => {
    await expect504(await ask('openai/gpt-4o-mini', 'hi [[fake hang]]', { stream: true }), 'upstream_timeout', `sent no response headers within ${LIMITS.streamHeadersTimeoutMs} ms`);
  }, CASE_MS);

  it('stream: headers, then nothing (resilience timeout.firstTokenMs)', async () => {
    await expect504(await ask('anthropic/claude-3-5-haiku-latest', 'hi [[fake stall]]', { stream: true }), 'first_token_timeout', `no first token within ${FIRST_TOKEN_MS} ms`);
  }, CASE_MS);

  it('stream: a byte now and then but never a whole event (resilience timeout.firstTokenMs)', async () => {
    await expect504(await ask('openai/gpt-4o-mini', 'hi [[fake drip=100]]', { stream: true }), 'first_token_timeout', `no first token within ${FIRST_TOKEN_MS} ms`);
  }, CASE_MS);

  it('stream: silent after its first chunk ends with an upstream_timeout error event (upstream.bodyIdleTimeoutMs)', async () => {
    const response = await ask('openai/gpt-4o-mini', 'hi [[fake stall-after=1]]', { stream: true });
    expect(response.status).toBe(200);
    const { tail } = await drain(response);
    expect(tail).toContain('"code":"upstream_timeout"');
    expect(tail).toContain(`sent nothing more of its answer for ${LIMITS.bodyIdleTimeoutMs} ms`);
    expect(tail).not.toContain('[DONE]');
  }, CASE_MS);

  it('JSON headers may take longer than the stream headers timeout: they come with the finished answer', async () => {
    const response = await ask('openai/gpt-4o-mini', `hi [[fake latency=${LIMITS.streamHeadersTimeoutMs * 2}]]`);
    expect(response.status).toBe(200);
    expect(((await response.json()) as { choices: Array<{ message: { content: string } }> }).choices[0].message.content).toBe('Fake reply to: hi');
  }, CASE_MS);
});
