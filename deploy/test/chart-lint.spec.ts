import { CHART_DIR, ciValuesFiles, helmLintAsync, helmTemplateRun, type RunResult } from './support/render';
import { START_TIMEOUT_MS } from '../../apps/gateway/test/support/timeouts';

/**
 * `helm lint --strict` (warnings fail too) and `helm template` with the chart's defaults and with
 * every ci/*-values.yaml (the files chart-testing installs the chart with).
 */

const CI_FILES = ciValuesFiles();
const SETS: Array<[string, string[]]> = [['defaults', []], ...CI_FILES.map((file): [string, string[]] => [file.replace(`${CHART_DIR}/`, ''), [file]])];

describe('helm lint --strict and helm template', () => {
  const lints = new Map<string, RunResult>();

  beforeAll(async () => {
    await Promise.all(SETS.map(async ([name, files]) => lints.set(name, await helmLintAsync({ valuesFiles: files }))));
  }, START_TIMEOUT_MS);

  it('the chart ships ci/*-values.yaml files', () => {
    expect(CI_FILES.length).toBeGreaterThan(0);
  });

  it.each(SETS.map(([name]) => name))('helm lint --strict: %s', (name) => {
    const out = lints.get(name)!;
    const output = `${out.stdout}${out.stderr}`;
    if (out.code !== 0) throw new Error(`helm lint --strict failed:\n${output}`);
    expect(output).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    // --strict turns warnings into failures; an [INFO] (e.g. no icon) is allowed but reported here.
    expect(output).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it.each(SETS)('helm template renders: %s', (_name, files) => {
    const out = helmTemplateRun({ valuesFiles: files });
    if (out.code !== 0) throw new Error(`helm template failed:\n${out.stderr}`);
    expect(out.stdout).toMatch(/^kind: Deployment$/m);
    // Helm warns on stderr about things such as a values key it had to coalesce over a non-map.
    expect(out.stderr.trim()).toBe('');
  });
});
