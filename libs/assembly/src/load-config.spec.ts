import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@llm-connector-hub/config';
import { loadHubConfig as loadConfig, maskConfigSecrets as maskSecrets, providersFromEnv, validateHubConfig as validateConfig } from './hub-config';

let dir: string;
let files = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'llm-hub-config-spec-'));
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Writes a YAML file and returns an env that points LLM_HUB_CONFIG at it. */
function withFile(yaml: string, env: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  const path = join(dir, `config-${++files}.yaml`);
  writeFileSync(path, yaml);
  return { ...env, LLM_HUB_CONFIG: path };
}

function configErrorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig from the environment only', () => {
  it('has only the mock provider and the documented defaults with an empty environment', () => {
    expect(loadConfig({})).toEqual({
      server: { host: '127.0.0.1', port: 3000, bodyLimitBytes: 10 * 1024 * 1024, drainTimeoutMs: 30_000, listenBacklog: 4096, logLevel: 'info', headersTimeoutMs: 15_000, requestTimeoutMs: 30_000, maxConnections: 10_000 },
      auth: { apiKeys: [] },
      routing: { aliases: {} },
      timeouts: { defaultMs: 300_000, maxMs: 600_000 },
      providers: { mock: { type: 'mock' } },
      resilience: { enabled: true },
      upstream: { maxResponseBytes: 64 * 1024 * 1024, maxEventBytes: 16 * 1024 * 1024, streamHeadersTimeoutMs: 180_000, bodyIdleTimeoutMs: 120_000 },
      // The other cache defaults are the cache's own (libs/cache CACHE_DEFAULTS).
      cache: { type: 'memory' },
      responses: { store: { ttlSeconds: 3600, maxBytes: 32 * 1024 * 1024, maxEntryBytes: 4 * 1024 * 1024, timeoutMs: 1000 } },
      observability: {
        metrics: { enabled: true, port: 9464, maxConnections: 16, requestTimeoutMs: 10_000 },
        requestLog: { enabled: true, content: false },
        pricing: {},
      },
    });
  });

  describe('metrics listener', () => {
    it('takes its port and token from LLM_HUB_METRICS_PORT and LLM_HUB_METRICS_TOKEN', () => {
      const config = loadConfig({ LLM_HUB_METRICS_PORT: '9100', LLM_HUB_METRICS_TOKEN: 'scrape-secret' });
      expect(config.observability.metrics).toMatchObject({ enabled: true, port: 9100, token: 'scrape-secret' });
      expect(maskSecrets(config).observability.metrics.token).toBe('***');
    });

    it('refuses a metrics port equal to the API port, and a non-integer LLM_HUB_METRICS_PORT', () => {
      expect(() => loadConfig({ PORT: '9464' })).toThrow('observability.metrics.port: must differ from server.port (9464)');
      expect(() => loadConfig({ LLM_HUB_METRICS_PORT: 'nine' })).toThrow("LLM_HUB_METRICS_PORT: must be an integer, got 'nine'");
      // Port 0 (any free port) for both, and metrics off, are fine.
      expect(loadConfig({ PORT: '0', LLM_HUB_METRICS_PORT: '0' }).observability.metrics.port).toBe(0);
      expect(loadConfig(withFile('observability: { metrics: { enabled: false } }', { PORT: '9464' })).observability.metrics.enabled).toBe(false);
    });

    it("keeps the file's other observability settings when the environment sets the port", () => {
      const config = loadConfig(withFile('observability: { metrics: { maxConnections: 4 }, requestLog: { enabled: false } }', { LLM_HUB_METRICS_PORT: '9100' }));
      expect(config.observability.metrics).toMatchObject({ port: 9100, maxConnections: 4 });
      expect(config.observability.requestLog.enabled).toBe(false);
    });
  });

  describe('cache settings', () => {
    it('takes the Redis Cluster from LLM_HUB_CACHE_TYPE, LLM_HUB_REDIS_NODES and LLM_HUB_REDIS_PASSWORD', () => {
      const config = loadConfig({ LLM_HUB_CACHE_TYPE: 'redis-cluster', LLM_HUB_REDIS_NODES: '10.0.0.1:6379, 10.0.0.2:6379', LLM_HUB_REDIS_PASSWORD: 'pw' });
      expect(config.cache.type).toBe('redis-cluster');
      expect(config.cache.redis).toMatchObject({ nodes: ['10.0.0.1:6379', '10.0.0.2:6379'], password: 'pw' });
    });

    it('takes a single Redis from LLM_HUB_REDIS_URL', () => {
      const config = loadConfig({ LLM_HUB_CACHE_TYPE: 'redis', LLM_HUB_REDIS_URL: 'redis://127.0.0.1:6390' });
      expect(config.cache.redis?.url).toBe('redis://127.0.0.1:6390');
    });

    it('refuses a Redis cache type without its address, naming the field', () => {
      expect(() => loadConfig({ LLM_HUB_CACHE_TYPE: 'redis-cluster' })).toThrow(/cache\.redis\.nodes/);
      expect(() => loadConfig({ LLM_HUB_CACHE_TYPE: 'redis' })).toThrow(/cache\.redis\.url/);
    });

    it('refuses an unknown cache type and a malformed node address', () => {
      expect(() => loadConfig({ LLM_HUB_CACHE_TYPE: 'memcached' })).toThrow(/cache\.type/);
      expect(() => loadConfig({ LLM_HUB_CACHE_TYPE: 'redis-cluster', LLM_HUB_REDIS_NODES: 'redis-0' })).toThrow(/cache\.redis\.nodes/);
    });

    it('takes the cache policy for the deployment and per model, and refuses an unknown one naming the field', () => {
      const config = validateConfig({ cache: { cacheable: 'all', models: { 'faq-bot': { cacheable: 'deterministic' } } } });
      expect(config.cache).toMatchObject({ cacheable: 'all', models: { 'faq-bot': { cacheable: 'deterministic' } } });
      // Unset: the cache library's own default applies (CACHE_DEFAULTS.cacheable).
      expect(validateConfig({}).cache.cacheable).toBeUndefined();
      expect(() => validateConfig({ cache: { cacheable: 'sometimes' } })).toThrow(/cache\.cacheable/);
      expect(() => validateConfig({ cache: { models: { 'faq-bot': { cacheable: 'always', ttl: 5 } } } })).toThrow(/cache\.models\.faq-bot/);
    });
  });

  it("adds each provider whose SDK variables are set, without fields that are not set", () => {
    const config = loadConfig({
      OPENAI_API_KEY: 'sk-openai',
      ANTHROPIC_API_KEY: 'sk-ant',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9000',
      GEMINI_API_KEY: 'gem-key',
      GEMINI_BASE_URL: 'http://127.0.0.1:9001',
    });
    expect(config.providers).toEqual({
      mock: { type: 'mock' },
      openai: { type: 'openai', apiKey: 'sk-openai' },
      anthropic: { type: 'anthropic', apiKey: 'sk-ant', baseUrl: 'http://127.0.0.1:9000' },
      google: { type: 'google', apiKey: 'gem-key', baseUrl: 'http://127.0.0.1:9001' },
    });
    expect(Object.keys(config.providers.openai)).toEqual(['type', 'apiKey']);
  });

  it('uses OPENAI_BASE_URL for openai', () => {
    expect(loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'http://127.0.0.1:8080/v1' }).providers.openai).toEqual({
      type: 'openai',
      apiKey: 'k',
      baseUrl: 'http://127.0.0.1:8080/v1',
    });
  });

  it('takes GOOGLE_API_KEY when GEMINI_API_KEY is not set, and prefers GEMINI_API_KEY', () => {
    expect(providersFromEnv({ GOOGLE_API_KEY: 'g' }).google).toEqual({ type: 'google', apiKey: 'g' });
    expect(providersFromEnv({ GOOGLE_API_KEY: 'g', GEMINI_API_KEY: 'gem' }).google).toEqual({ type: 'google', apiKey: 'gem' });
  });

  it('adds azure-openai only when both its key and its endpoint are set', () => {
    expect(loadConfig({ AZURE_OPENAI_API_KEY: 'az' }).providers).not.toHaveProperty('azure-openai');
    expect(loadConfig({ AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com' }).providers).not.toHaveProperty('azure-openai');
    expect(
      loadConfig({ AZURE_OPENAI_API_KEY: 'az', AZURE_OPENAI_ENDPOINT: 'https://r.openai.azure.com', AZURE_OPENAI_API_VERSION: '2025-01-01' })
        .providers['azure-openai'],
    ).toEqual({ type: 'azure-openai', apiKey: 'az', endpoint: 'https://r.openai.azure.com', apiVersion: '2025-01-01' });
  });

  it('ignores blank values and trims the others', () => {
    const config = loadConfig({
      OPENAI_API_KEY: '   ',
      ANTHROPIC_API_KEY: ' sk-ant \n',
      ANTHROPIC_BASE_URL: '',
      GEMINI_API_KEY: '',
      GOOGLE_API_KEY: 'g',
      AZURE_OPENAI_API_KEY: 'az',
      AZURE_OPENAI_ENDPOINT: ' ',
    });
    expect(config.providers).toEqual({
      mock: { type: 'mock' },
      anthropic: { type: 'anthropic', apiKey: 'sk-ant' },
      google: { type: 'google', apiKey: 'g' },
    });
  });

  it('refuses a bad URL from the environment, naming the field', () => {
    const error = configErrorOf(() => loadConfig({ OPENAI_API_KEY: 'k', OPENAI_BASE_URL: 'api.openai.com/v1' }));
    expect(error.message).toContain('providers.openai.baseUrl: must be an http(s) URL');
  });
});

describe('loadConfig with a file', () => {
  it('merges a file entry over the environment entry of the same name, field by field', () => {
    const env = withFile(
      `
providers:
  openai:
    models: [gpt-4o-mini]
    headers: { OpenAI-Beta: assistants=v2 }
`,
      { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
    );
    expect(loadConfig(env).providers.openai).toEqual({
      type: 'openai',
      apiKey: 'sk-env',
      baseUrl: 'http://127.0.0.1:1/v1',
      models: ['gpt-4o-mini'],
      headers: { 'OpenAI-Beta': 'assistants=v2' },
    });
  });

  it('lets the file override a field the environment set, with or without repeating the type', () => {
    const env = { OPENAI_API_KEY: 'sk-env', ANTHROPIC_API_KEY: 'ant-env' };
    const config = loadConfig(
      withFile(
        `
providers:
  openai: { apiKey: sk-file }
  anthropic: { type: anthropic, version: '2023-06-01' }
  mock: { latencyMs: 5 }
`,
        env,
      ),
    );
    expect(config.providers.openai).toEqual({ type: 'openai', apiKey: 'sk-file' });
    expect(config.providers.anthropic).toEqual({ type: 'anthropic', apiKey: 'ant-env', version: '2023-06-01' });
    expect(config.providers.mock).toEqual({ type: 'mock', latencyMs: 5 });
  });

  it('replaces the environment entry when the file gives the name a different type', () => {
    const env = withFile(
      `
providers:
  openai:
    type: openai-compatible
    baseUrl: http://127.0.0.1:11434/v1
`,
      { OPENAI_API_KEY: 'sk-env', OPENAI_BASE_URL: 'http://127.0.0.1:1/v1' },
    );
    expect(loadConfig(env).providers.openai).toEqual({ type: 'openai-compatible', baseUrl: 'http://127.0.0.1:11434/v1' });
  });

  it('adds the providers, routing, auth and timeouts the file declares', () => {
    const config = loadConfig(
      withFile(`
server: { port: 8080, drainTimeoutMs: 0 }
auth: { apiKeys: [gw-1] }
routing:
  aliases: { fast: groq/llama-3.1-8b-instant }
  defaultProvider: groq
timeouts: { defaultMs: 1000, maxMs: 2000 }
providers:
  groq: { type: openai-compatible, baseUrl: 'https://api.groq.com/openai/v1', apiKey: gsk }
`),
    );
    expect(config.server).toMatchObject({ port: 8080, drainTimeoutMs: 0, host: '127.0.0.1' });
    expect(config.auth.apiKeys).toEqual(['gw-1']);
    expect(config.routing).toEqual({ aliases: { fast: 'groq/llama-3.1-8b-instant' }, defaultProvider: 'groq' });
    expect(config.timeouts).toEqual({ defaultMs: 1000, maxMs: 2000 });
    expect(Object.keys(config.providers)).toEqual(['mock', 'groq']);
  });

  it('refuses a headers timeout longer than the whole request timeout', () => {
    expect(() => loadConfig(withFile('server: { headersTimeoutMs: 40000, requestTimeoutMs: 30000 }'))).toThrow(/server\.headersTimeoutMs: must not be more than requestTimeoutMs/);
  });

  it('treats an empty file as no file', () => {
    expect(loadConfig(withFile(''))).toEqual(loadConfig({}));
  });

  it('replaces ${VAR} in any string of the file from the environment', () => {
    const config = loadConfig(
      withFile(
        `
auth: { apiKeys: ['\${GW_KEY}', static] }
providers:
  groq:
    type: openai-compatible
    baseUrl: 'http://\${GROQ_HOST}:\${GROQ_PORT}/v1'
    apiKey: \${GROQ_KEY}
    headers: { x-team: 'team-\${TEAM}' }
    http2: "on"
`,
        { GW_KEY: 'gw-secret', GROQ_HOST: '127.0.0.1', GROQ_PORT: '8081', GROQ_KEY: 'gsk-1', TEAM: 'search' },
      ),
    );
    expect(config.auth.apiKeys).toEqual(['gw-secret', 'static']);
    expect(config.providers.groq).toEqual({
      type: 'openai-compatible',
      baseUrl: 'http://127.0.0.1:8081/v1',
      apiKey: 'gsk-1',
      headers: { 'x-team': 'team-search' },
      http2: 'on',
    });
  });

  it('stops on a ${VAR} that is not set, naming the variable', () => {
    const error = configErrorOf(() =>
      loadConfig(withFile(`providers:\n  openai: { type: openai, apiKey: '\${OPENAI_KEY_FOR_GATEWAY}' }\n`)),
    );
    expect(error.message).toBe('LLM_HUB_CONFIG refers to ${OPENAI_KEY_FOR_GATEWAY}, which is not set in the environment');
  });

  it('reports a missing file, a file that is not YAML and a file that is not a mapping', () => {
    expect(configErrorOf(() => loadConfig({ LLM_HUB_CONFIG: join(dir, 'missing.yaml') })).message).toMatch(
      /^Cannot read LLM_HUB_CONFIG file '.*missing\.yaml'/,
    );
    expect(configErrorOf(() => loadConfig(withFile('server: {port: 1\n'))).message).toMatch(/is not valid YAML/);
    expect(configErrorOf(() => loadConfig(withFile('- a\n- b\n'))).message).toMatch(/must hold a mapping at the top level/);
  });

  it('refuses a providers section that is not a mapping instead of ignoring it', () => {
    const error = configErrorOf(() =>
      loadConfig(withFile('providers:\n  - name: groq\n    type: openai-compatible\n    baseUrl: http://127.0.0.1/v1\n')),
    );
    expect(error.message).toMatch(/- providers: /);
  });

  it('refuses auth.apiKeys that is not a list instead of dropping it when LLM_HUB_API_KEYS adds keys', () => {
    expect(configErrorOf(() => loadConfig(withFile('auth: { apiKeys: gw-file }\n', { LLM_HUB_API_KEYS: 'gw-env' }))).message).toMatch(
      /- auth\.apiKeys: /,
    );
  });

  it('refuses a server section that is not a mapping instead of ignoring it', () => {
    expect(configErrorOf(() => loadConfig(withFile('server: 8080\n'))).message).toMatch(/- server: /);
  });
});

describe('environment overrides', () => {
  const file = `
server: { host: 0.0.0.0, port: 8080, logLevel: warn }
auth: { apiKeys: [from-file] }
`;

  it('PORT, HOST and LLM_HUB_LOG_LEVEL win over the file', () => {
    const config = loadConfig(withFile(file, { PORT: '9090', HOST: '::', LLM_HUB_LOG_LEVEL: 'debug' }));
    expect(config.server).toMatchObject({ port: 9090, host: '::', logLevel: 'debug' });
  });

  it('an empty PORT or HOST leaves the file values', () => {
    expect(loadConfig(withFile(file, { PORT: '', HOST: '' })).server).toMatchObject({ port: 8080, host: '0.0.0.0' });
  });

  it('PORT must be an integer, and a valid port', () => {
    expect(configErrorOf(() => loadConfig({ PORT: 'eighty' })).message).toContain("PORT: must be an integer, got 'eighty'");
    expect(configErrorOf(() => loadConfig({ PORT: '70000' })).message).toContain('server.port');
  });

  it('LLM_HUB_LOG_LEVEL must be a known level', () => {
    expect(configErrorOf(() => loadConfig({ LLM_HUB_LOG_LEVEL: 'verbose' })).message).toContain('server.logLevel');
  });

  it('LLM_HUB_API_KEYS adds comma-separated keys to the file keys, ignoring blanks', () => {
    expect(loadConfig(withFile(file, { LLM_HUB_API_KEYS: ' k1, k2,, ' })).auth.apiKeys).toEqual(['from-file', 'k1', 'k2']);
    expect(loadConfig({ LLM_HUB_API_KEYS: 'only' }).auth.apiKeys).toEqual(['only']);
    expect(loadConfig(withFile(file, { LLM_HUB_API_KEYS: '' })).auth.apiKeys).toEqual(['from-file']);
  });
});

describe('validation', () => {
  it('names the path of every bad field, one line each', () => {
    const error = configErrorOf(() =>
      loadConfig(
        withFile(`
server: { port: -1 }
providers:
  groq: { type: openai-compatible, baseUrl: not-a-url }
  azure: { type: azure-openai, apiKey: k }
`),
      ),
    );
    expect(error.message).toMatch(/^Invalid configuration \(.*config-\d+\.yaml\):\n/);
    const lines = error.message.split('\n').slice(1);
    expect(lines).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^ {2}- server\.port: /),
        '  - providers.groq.baseUrl: must be an http(s) URL',
        expect.stringMatching(/^ {2}- providers\.azure\.endpoint: /),
      ]),
    );
    expect(lines).toHaveLength(3);
  });

  it('refuses unknown keys, so typos do not pass silently', () => {
    expect(configErrorOf(() => loadConfig(withFile('server: { prot: 8080 }\n'))).message).toMatch(/- server: .*prot/);
    expect(configErrorOf(() => loadConfig(withFile('providers:\n  mock: { latency: 5 }\n'))).message).toMatch(/- providers\.mock: .*latency/);
  });

  it('refuses the removed pool size `connections` with a message that says what sizes the pool now, and an unknown http2 mode', () => {
    const removed = configErrorOf(() => loadConfig(withFile('providers:\n  groq: { type: openai-compatible, baseUrl: http://127.0.0.1/v1, connections: 4 }\n')));
    expect(removed.message).toContain('providers.groq.connections: is no longer used: the connection pool is sized from resilience bulkhead.maxConcurrent');
    expect(configErrorOf(() => loadConfig(withFile('providers:\n  groq: { type: openai-compatible, baseUrl: http://127.0.0.1/v1, http2: yes }\n'))).message).toContain(
      'providers.groq.http2',
    );
  });

  it('refuses an unknown provider type and an entry without a type', () => {
    expect(configErrorOf(() => loadConfig(withFile('providers:\n  x: { type: cohere }\n'))).message).toContain('providers.x.type');
    expect(configErrorOf(() => loadConfig(withFile('providers:\n  groq: { baseUrl: http://127.0.0.1/v1 }\n'))).message).toContain(
      'providers.groq.type',
    );
  });

  it('refuses an empty secret', () => {
    expect(configErrorOf(() => loadConfig(withFile("providers:\n  openai: { type: openai, apiKey: '' }\n"))).message).toContain(
      'providers.openai.apiKey: must not be empty',
    );
  });

  it('refuses an alias to a provider that is not configured', () => {
    const error = configErrorOf(() => loadConfig(withFile('routing:\n  aliases: { fast: groq/llama }\n')));
    expect(error.message).toContain("routing.aliases.fast: provider 'groq' is not configured");
  });

  it("refuses an alias that is not 'provider/model'", () => {
    expect(configErrorOf(() => loadConfig(withFile('routing:\n  aliases: { fast: llama }\n'))).message).toContain(
      "routing.aliases.fast: must be 'provider/model'",
    );
  });

  it('refuses a default provider that is not configured', () => {
    const error = configErrorOf(() => loadConfig(withFile('routing: { defaultProvider: ollama }\n')));
    expect(error.message).toContain("routing.defaultProvider: provider 'ollama' is not configured");
    expect(loadConfig(withFile('routing: { defaultProvider: mock }\n')).routing.defaultProvider).toBe('mock');
  });

  it("takes upstream limits for every provider, and a provider entry's own over them", () => {
    const config = loadConfig(
      withFile(`
upstream: { maxResponseBytes: 1048576, bodyIdleTimeoutMs: 0 }
providers:
  vllm: { type: openai-compatible, baseUrl: http://127.0.0.1:8000/v1, upstream: { streamHeadersTimeoutMs: 600000 } }
`),
    );
    expect(config.upstream).toEqual({ maxResponseBytes: 1_048_576, maxEventBytes: 16 * 1024 * 1024, streamHeadersTimeoutMs: 180_000, bodyIdleTimeoutMs: 0 });
    expect(config.providers.vllm).toMatchObject({ upstream: { streamHeadersTimeoutMs: 600_000 } });
  });

  it('refuses upstream limits that are not sizes or durations, naming the field', () => {
    const error = configErrorOf(() =>
      loadConfig(withFile('upstream: { maxResponseBytes: 0, streamHeadersTimeoutMs: -1 }\nproviders:\n  mock: { type: mock, upstream: {} }\n')),
    );
    expect(error.message).toContain('- upstream.maxResponseBytes: ');
    expect(error.message).toContain('- upstream.streamHeadersTimeoutMs: ');
    expect(error.message).toMatch(/- providers\.mock: .*upstream/);
  });

  it('lowers the default timeout to a maxMs set below it', () => {
    expect(loadConfig(withFile('timeouts: { maxMs: 60000 }\n')).timeouts).toEqual({ defaultMs: 60_000, maxMs: 60_000 });
  });

  it('refuses timeouts.defaultMs above timeouts.maxMs', () => {
    const error = configErrorOf(() => loadConfig(withFile('timeouts: { defaultMs: 5000, maxMs: 1000 }\n')));
    expect(error.message).toContain('timeouts.defaultMs: must not exceed timeouts.maxMs');
    expect(loadConfig(withFile('timeouts: { defaultMs: 1000, maxMs: 1000 }\n')).timeouts).toEqual({ defaultMs: 1000, maxMs: 1000 });
  });

  it('validateConfig names its source and accepts a valid object', () => {
    expect(configErrorOf(() => validateConfig({ server: { port: 'x' } }, 'inline')).message).toMatch(/^Invalid configuration \(inline\):\n {2}- server\.port: /);
    expect(validateConfig({ providers: { mock: { type: 'mock' } } }).providers).toEqual({ mock: { type: 'mock' } });
  });
});
