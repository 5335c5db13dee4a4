import { SettingsError } from '../scenarios/settings';
import { parseCli, usage } from './cli';

describe('runner command line', () => {
  it('reads the environment, as in a Job: SCENARIO, RESULT_FILE, MAX_ITERATIONS and the settings', () => {
    const cli = parseCli([], { SCENARIO: 'cache-mix', RESULT_FILE: '/tmp/r.json', MAX_ITERATIONS: '50', TARGET_URL: 'http://hub' });
    expect(cli).toMatchObject({ help: false, scenario: 'cache-mix', resultFile: '/tmp/r.json', maxIterations: 50, env: { TARGET_URL: 'http://hub' } });
  });

  it('runs smoke when no scenario is named', () => {
    expect(parseCli([], {}).scenario).toBe('smoke');
  });

  it('takes a flag for every setting, named after its variable, over the environment; the scenario may be the argument', () => {
    const cli = parseCli(['streaming', '--target-url', 'http://a:1', '--vus=3', '--slo-ttft-p95-ms', '500'], { TARGET_URL: 'http://b', VUS: '9' });
    expect(cli.scenario).toBe('streaming');
    expect(cli.env).toMatchObject({ TARGET_URL: 'http://a:1', VUS: '3', SLO_TTFT_P95_MS: '500' });
  });

  it.each([
    [['--vu', '3'], /Unknown option '--vu'/],
    [['soak', 'spike'], /one scenario at a time/],
    [['warmup'], /SCENARIO: "warmup" is not one of smoke, load, stress, spike, soak, cache-mix, streaming/],
    [['--max-iterations', '1e3'], /MAX_ITERATIONS: "1e3" is not a whole number/],
  ])('refuses %j with a SettingsError', (argv, message) => {
    expect(() => parseCli(argv, {})).toThrow(SettingsError);
    expect(() => parseCli(argv, {})).toThrow(message);
  });

  it('documents every flag with its variable', () => {
    expect(usage()).toMatch(/--target-url\s+TARGET_URL\s+the gateway's base URL/);
    expect(usage()).toMatch(/--scenario\s+SCENARIO\s+the scenario to run: smoke, load, stress, spike, soak, cache-mix, streaming \(default smoke\)/);
  });
});
