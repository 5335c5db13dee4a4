import { ConnectorHub } from '@llm-connector-hub/hub';
import { PROVIDER_PLUGINS } from '@llm-connector-hub/providers';
import { createHub } from './create-hub';
import { hubConfigSchema, loadHubConfig, maskConfigSecrets, providersFromEnv, validateHubConfig } from './hub-config';
import { advertisedModels } from './provider-entries';

describe('the config composed from the provider plugins', () => {
  it('knows every plugin of the registry, each with its own fields', () => {
    const providers = Object.fromEntries(PROVIDER_PLUGINS.map((plugin) => [plugin.type, { type: plugin.type }]));
    const error = hubConfigSchema.safeParse({ providers }).error!;
    const complaints = new Set(error.issues.map((issue) => issue.path.join('.')));
    // Each plugin with a required field says which one; none is refused for its type.
    expect(complaints).toContain('providers.bedrock.region');
    expect(complaints).toContain('providers.mistral.apiKey');
    expect([...complaints].some((path) => path.endsWith('.type'))).toBe(false);
  });

  it('detects Bedrock and Mistral from their SDKs\' variables', () => {
    const env = { AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's3cr3t', AWS_SESSION_TOKEN: 'tok', MISTRAL_API_KEY: 'm-key' };
    expect(providersFromEnv(env)).toMatchObject({
      mock: { type: 'mock' },
      bedrock: { type: 'bedrock', region: 'eu-west-1', accessKeyId: 'AKIA1', secretAccessKey: 's3cr3t', sessionToken: 'tok' },
      mistral: { type: 'mistral', apiKey: 'm-key' },
    });
    expect(providersFromEnv({ AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's3cr3t' })).not.toHaveProperty('bedrock');
  });

  it("masks every plugin's secret fields", () => {
    const config = loadHubConfig({ AWS_DEFAULT_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: 'AKIA1', AWS_SECRET_ACCESS_KEY: 's3cr3t', AWS_SESSION_TOKEN: 'tok', MISTRAL_API_KEY: 'm-key' });
    const text = JSON.stringify(maskConfigSecrets(config));
    expect(text).not.toMatch(/s3cr3t|"tok"|m-key/);
    expect(maskConfigSecrets(config).providers.bedrock).toMatchObject({ region: 'us-east-1', secretAccessKey: '***', sessionToken: '***' });
  });

  it("lists a plugin's default models for an entry that lists none, and the entry's own otherwise", () => {
    expect(advertisedModels({ type: 'mistral' })).toContain('mistral-large-latest');
    expect(advertisedModels({ type: 'mistral', models: ['open-mistral-nemo'] })).toEqual(['open-mistral-nemo']);
    expect(advertisedModels({ type: 'azure-openai', deployments: { 'gpt-4o': 'prod' } } as never)).toEqual(['gpt-4o']);
  });
});

describe('createHub', () => {
  it('registers every configured provider under its name, with the models it advertises', async () => {
    const config = validateHubConfig({ providers: { mock: { type: 'mock' }, mistral: { type: 'mistral', apiKey: 'k' } }, cache: { type: 'none' } });
    const hub = createHub(config);
    try {
      expect(hub).toBeInstanceOf(ConnectorHub);
      const ids = hub.listModels().map((m) => m.id);
      expect(ids).toEqual(expect.arrayContaining(['mock/mock-1', 'mistral/mistral-large-latest']));
      const answer = await hub.complete({ model: 'mock/mock-1', messages: [{ role: 'user', content: 'hello' }] });
      expect(answer.choices[0].message.content).toBeTruthy();
    } finally {
      await hub.close();
    }
  });
});
