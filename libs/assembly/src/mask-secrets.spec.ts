import { loadHubConfig as loadConfig, maskConfigSecrets as maskSecrets } from './hub-config';

describe('maskSecrets', () => {
  it('masks provider keys and gateway keys, leaving everything else as it was', () => {
    const config = loadConfig({ OPENAI_API_KEY: 'sk-live-123', LLM_HUB_API_KEYS: 'gw-1,gw-2', PORT: '8080' });
    const masked = maskSecrets(config);
    expect(masked.providers.openai).toEqual({ type: 'openai', apiKey: '***' });
    expect(masked.auth.apiKeys).toEqual(['***', '***']);
    expect(masked.server).toEqual(config.server);
    expect(masked.providers.mock).toEqual({ type: 'mock' });
    expect(JSON.stringify(masked)).not.toMatch(/sk-live-123|gw-1|gw-2/);
  });

  it('does not change the config it was given', () => {
    const config = { providers: { openai: { type: 'openai', apiKey: 'sk-live-123' } } };
    maskSecrets(config);
    expect(config.providers.openai.apiKey).toBe('sk-live-123');
  });

  it('masks secret headers whatever their case, and keeps the others', () => {
    const masked = maskSecrets({
      providers: {
        proxy: {
          headers: {
            Authorization: 'Bearer sk-upper',
            authorization: 'Bearer sk-lower',
            'api-key': 'azure-key',
            'X-Api-Key': 'anthropic-key',
            'x-goog-api-key': 'google-key',
            'x-team': 'search',
          },
        },
      },
    });
    expect(masked.providers.proxy.headers).toEqual({
      Authorization: '***',
      authorization: '***',
      'api-key': '***',
      'X-Api-Key': '***',
      'x-goog-api-key': '***',
      'x-team': 'search',
    });
  });

  it('masks at any depth, in arrays too, and every string under a secret key', () => {
    const masked = maskSecrets({
      a: [{ b: { password: 'hunter2', nested: { apiKey: 'deep' } } }],
      apiKey: { primary: 'p', list: ['x', 'y'] },
      count: 3,
      enabled: true,
      nothing: null,
    });
    expect(masked).toEqual({
      a: [{ b: { password: '***', nested: { apiKey: '***' } } }],
      apiKey: { primary: '***', list: ['***', '***'] },
      count: 3,
      enabled: true,
      nothing: null,
    });
  });

  it('masks the password inside a URL and leaves URLs without one alone', () => {
    expect(maskSecrets({ url: 'redis://user:s3cret@10.0.0.1:6379/0', plain: 'redis://10.0.0.1:6379', mail: 'ops@example.com' })).toEqual({
      url: 'redis://user:***@10.0.0.1:6379/0',
      plain: 'redis://10.0.0.1:6379',
      mail: 'ops@example.com',
    });
  });
});
