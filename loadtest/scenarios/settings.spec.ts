import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS, settingsFrom, SettingsError } from './settings.ts';

describe('settings from the environment', () => {
  it('has defaults that reach the built-in mock provider on the local gateway, with the SLOs of the alerts', () => {
    expect(settingsFrom({})).toEqual({
      targetUrl: 'http://127.0.0.1:3000',
      model: 'mock/mock-1',
      apiKey: undefined,
      vus: undefined,
      maxVus: undefined,
      rate: undefined,
      duration: undefined,
      ramp: undefined,
      maxTokens: 64,
      promptSuffix: '',
      timeout: '60s',
      promptPool: 10,
      repeatRatio: 0.9,
      slo: { p95Ms: 5000, p99Ms: 10_000, errorRate: 0.01, ttftP95Ms: 2000, cacheHitRate: 0.8 },
    });
  });

  it('reads every variable (an empty one is unset), and drops a trailing slash of the target', () => {
    const settings = settingsFrom({ TARGET_URL: 'https://hub.example.com/', MODEL: 'fast', API_KEY: 'sk-1', VUS: '20', RATE: '2.5', DURATION: '1m30s', RAMP: '', SLO_P95_MS: '800' });
    expect(settings).toMatchObject({ targetUrl: 'https://hub.example.com', model: 'fast', apiKey: 'sk-1', vus: 20, rate: 2.5, duration: '1m30s', ramp: undefined, slo: { p95Ms: 800 } });
  });

  it.each([
    [{ TARGET_URL: 'hub:3000' }, 'TARGET_URL: "hub:3000" is not an http:// or https:// URL'],
    [{ TARGET_URL: 'http://127.0.0.1:' }, 'TARGET_URL: "http://127.0.0.1:" is not an http:// or https:// URL'],
    [{ VUS: '2.5' }, 'VUS: "2.5" is not a whole number above 0'],
    [{ RATE: '0' }, 'RATE: "0" is not a number above 0'],
    [{ DURATION: '30' }, 'DURATION: "30" is not a k6 duration such as 30s, 5m or 1h30m'],
    [{ REPEAT_RATIO: '90' }, 'REPEAT_RATIO: "90" is not a number from 0 to 1'],
  ])('refuses %j, naming the variable', (env, message) => {
    expect(() => settingsFrom(env)).toThrow(new SettingsError(message));
  });

  it('loadtest/README.md lists every setting with its default', () => {
    const readme = readFileSync(join(__dirname, '../README.md'), 'utf8');
    for (const [name, spec] of Object.entries(SETTINGS)) {
      const row = readme.split('\n').find((line) => line.startsWith(`| \`${name}\``));
      expect({ name, row }).toEqual({ name, row: expect.stringContaining(spec.default === undefined || spec.default === '' ? '|' : `\`${spec.default}\``) });
    }
  });
});
