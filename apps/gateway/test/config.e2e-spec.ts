import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GATEWAY_MAIN, startGateway, startProcess, fakeStats, startFakeProvider, type RunningProcess } from './support/processes';
import { postJson, readSse } from './support/sse';
import { START_TIMEOUT_MS, STOP_TIMEOUT_MS } from './support/timeouts';

function configFile(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'llm-hub-config-'));
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  return file;
}

describe('config validated at boot', () => {
  it.each([
    ['an unknown provider type', 'providers:\n  x:\n    type: bogus\n', /providers\.x\.type/],
    ['a missing apiKey', 'providers:\n  openai:\n    type: anthropic\n', /providers\.openai\.apiKey/],
    ['a bad base URL', 'providers:\n  v:\n    type: openai-compatible\n    baseUrl: not a url\n', /providers\.v\.baseUrl/],
    ['a negative body limit', 'server:\n  bodyLimitBytes: -1\n', /server\.bodyLimitBytes/],
    ['a drain timeout of the wrong type', 'server:\n  drainTimeoutMs: soon\n', /server\.drainTimeoutMs/],
    ['an unknown top-level key', 'sever:\n  port: 1\n', /sever/],
    ['an alias to a missing provider', 'routing:\n  aliases:\n    fast: nope/model\n', /routing\.aliases\.fast/],
    ['invalid YAML', 'providers: [\n', /not valid YAML/],
    ['resilience for a provider that is not configured', 'resilience:\n  providers:\n    ghost:\n      retry: { maxAttempts: 2 }\n', /resilience\.providers\.ghost/],
    ['zero retry attempts', 'resilience:\n  defaults:\n    retry: { maxAttempts: 0 }\n', /resilience\.defaults\.retry\.maxAttempts/],
    ['an alias target without a provider', 'routing:\n  aliases:\n    fast: [just-a-model]\n', /routing\.aliases\.fast/],
    ['an unset ${VAR}', 'providers:\n  o:\n    type: openai\n    apiKey: ${NO_SUCH_VAR_XYZ}\n', /NO_SUCH_VAR_XYZ/],
  ])('refuses to start with %s and names the field', async (_name, yaml, pattern) => {
    const failed = await startProcess(GATEWAY_MAIN, { LLM_HUB_CONFIG: configFile(yaml) }).then(
      async (started) => {
        await started.stop('SIGKILL');
        return new Error('started');
      },
      (error: Error) => error,
    );
    expect(failed.message).toMatch(/exited with 1 before listening/);
    expect(failed.message).toMatch(pattern);
  });

  it('refuses to start when the file does not exist', async () => {
    const failed = await startProcess(GATEWAY_MAIN, { LLM_HUB_CONFIG: '/nonexistent/llm-hub.yaml' }).catch((e: Error) => e);
    expect((failed as Error).message).toMatch(/Cannot read LLM_HUB_CONFIG/);
  });
});

describe('providers from the environment and the file', () => {
  let fake: RunningProcess;
  let gateway: RunningProcess;

  beforeAll(async () => {
    fake = await startFakeProvider();
    const file = configFile(
      [
        'routing:',
        '  aliases:',
        '    fast: anthropic/claude-3-5-haiku-latest',
        '    cheap: openai/gpt-4o-mini',
        'providers:',
        '  local:',
        '    type: openai-compatible',
        `    baseUrl: ${fake.url}/v1`,
        '    apiKey: ${LOCAL_KEY}',
        '    models: [llama-3]',
      ].join('\n'),
    );
    gateway = await startGateway(undefined, {
      LLM_HUB_CONFIG: file,
      LOCAL_KEY: 'local-secret-key-42',
      OPENAI_API_KEY: 'sk-env-openai-key-1234',
      OPENAI_BASE_URL: `${fake.url}/v1`,
      ANTHROPIC_API_KEY: 'sk-ant-env-key-5678',
      ANTHROPIC_BASE_URL: fake.url,
      GEMINI_API_KEY: 'AIzaEnvGeminiKey000000',
      GEMINI_BASE_URL: fake.url,
      AZURE_OPENAI_API_KEY: 'azure-env-key-0000',
      AZURE_OPENAI_ENDPOINT: fake.url,
      AZURE_OPENAI_API_VERSION: '2025-01-01-preview',
    });
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    await gateway?.stop();
    await fake?.stop();
  }, STOP_TIMEOUT_MS);

  const ask = (body: object) => postJson(`${gateway.url}/v1/chat/completions`, { messages: [{ role: 'user', content: 'hi' }], ...body });

  it('routes an alias to its target provider', async () => {
    const response = await ask({ model: 'fast' });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-llm-hub-provider')).toBe('anthropic');
    expect((await fakeStats(fake.url)).lastRequest!.path).toBe('/v1/messages');
  });

  it('routes a bare model name to the provider that lists it, and the provider field wins', async () => {
    expect((await ask({ model: 'gpt-4o-mini' })).headers.get('x-llm-hub-provider')).toBe('openai');
    expect((await ask({ model: 'gemini-2.0-flash' })).headers.get('x-llm-hub-provider')).toBe('google');
    expect((await ask({ model: 'gpt-4o-mini', provider: 'azure-openai' })).headers.get('x-llm-hub-provider')).toBe('azure-openai');
    const { lastRequest } = await fakeStats(fake.url);
    expect(lastRequest!.path).toBe('/openai/deployments/gpt-4o-mini/chat/completions?api-version=2025-01-01-preview');
    expect(lastRequest!.headers['api-key']).toBe('azure-env-key-0000');
  });

  it('uses ${VAR} from the environment inside the file', async () => {
    const response = await ask({ model: 'local/llama-3' });
    expect(response.status).toBe(200);
    expect((await fakeStats(fake.url)).lastRequest!.headers.authorization).toBe('Bearer local-secret-key-42');
  });

  it('lists providers and aliases in /v1/models', async () => {
    const list = (await (await fetch(`${gateway.url}/v1/models`)).json()) as { data: Array<{ id: string; owned_by: string }> };
    const ids = list.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['fast', 'cheap', 'local/llama-3', 'mock/mock-1', 'openai/gpt-4o-mini', 'google/gemini-2.0-flash', 'anthropic/claude-3-5-haiku-latest']));
    expect(list.data.find((m) => m.id === 'fast')!.owned_by).toBe('anthropic');
    const one = await fetch(`${gateway.url}/v1/models/local/llama-3`);
    expect(await one.json()).toMatchObject({ id: 'local/llama-3', object: 'model' });
    expect((await fetch(`${gateway.url}/v1/models/nope/none`)).status).toBe(404);
  });

  it('serves the hub REST shape on /api/complete and /api/stream', async () => {
    const response = await postJson(`${gateway.url}/api/complete`, {
      provider: 'mock',
      model: 'mock-1',
      messages: [{ role: 'user', content: 'hello hub' }],
      max_tokens: 50,
      temperature: 0.2,
      timeout: 5000,
    });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { provider: string; content: string; finish_reason: string; usage: { total_tokens: number } };
    expect(body).toMatchObject({ provider: 'mock', content: 'Mock reply to: hello hub', finish_reason: 'stop' });
    expect(body.usage.total_tokens).toBeGreaterThan(0);
    const stream = await readSse(`${gateway.url}/api/stream`, { provider: 'anthropic', model: 'claude-3-5-haiku-latest', messages: [{ role: 'user', content: 'hello hub' }] });
    expect(stream.headers.get('x-llm-hub-provider')).toBe('anthropic');
    const text = stream.events
      .filter((e): e is { choices: Array<{ delta: { content?: string } }> } => typeof e === 'object')
      .map((e) => e.choices[0]?.delta.content ?? '')
      .join('');
    expect(text).toBe('Fake reply to: hello hub');
    expect(stream.events[stream.events.length - 1]).toBe('[DONE]');
  });

  it('never prints a key from the environment or the file', () => {
    for (const key of ['local-secret-key-42', 'sk-env-openai-key-1234', 'sk-ant-env-key-5678', 'AIzaEnvGeminiKey000000', 'azure-env-key-0000']) {
      expect(gateway.output()).not.toContain(key);
    }
  });
});
