import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runChildSync } from '../../apps/gateway/test/support/children';
import { PROVIDER_PLUGINS } from '@llm-connector-hub/providers';
import { CHART_DIR, REPO_ROOT } from './support/render';

/**
 * The chart's values.schema.json and its README's values table are what `make chart-docs`
 * (scripts/chart-docs.sh) generates from the comments of values.yaml: they cannot drift from the
 * values. The check's own test edits a comment in a copy of the chart and expects both files named.
 */

const SCRIPT = join(REPO_ROOT, 'scripts/chart-docs.sh');
const TIMEOUT_MS = 600_000;

function check(chartDir: string) {
  return runChildSync(SCRIPT, ['--check', chartDir], { timeoutMs: TIMEOUT_MS });
}

describe('chart docs (make chart-docs)', () => {
  it('values.schema.json and the README values table are generated from values.yaml, as committed', () => {
    const out = check(CHART_DIR);
    if (out.code !== 0) throw new Error(`scripts/chart-docs.sh --check exited with ${out.code}: run make chart-docs\n${out.stderr}`);
  }, TIMEOUT_MS);

  it('fails, naming both files, when a description or a constraint in values.yaml changes', () => {
    const copy = mkdtempSync(join(tmpdir(), 'llm-hub-chart-docs-'));
    try {
      const chart = join(copy, 'chart');
      cpSync(CHART_DIR, chart, { recursive: true });
      const values = join(chart, 'values.yaml');
      const text = readFileSync(values, 'utf8');
      const edited = text.replace('# -- Number of gateway pods', '# -- How many gateway pods');
      expect(edited).not.toBe(text);
      writeFileSync(values, edited);
      const out = check(chart);
      expect(out.code).toBe(1);
      expect(out.stderr).toContain('values.schema.json differs');
      expect(out.stderr).toContain('README.md differs');

      // A constraint alone (no description changes): only the schema differs.
      writeFileSync(values, text.replace(/(# @schema\n# \{ )minimum: 0(, required: true \}\n# @schema\n# -- How many old ReplicaSets)/, '$1minimum: 1$2'));
      expect(readFileSync(values, 'utf8')).not.toBe(text);
      const constraint = check(chart);
      expect(constraint.code).toBe(1);
      expect(constraint.stderr).toContain('values.schema.json differs');
      expect(constraint.stderr).not.toContain('README.md differs');
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  }, TIMEOUT_MS);
});

describe('the chart knows every provider type', () => {
  it("values.schema.json's config.providers type enum is the gateway's provider plugins", () => {
    const schema = JSON.parse(readFileSync(join(CHART_DIR, 'values.schema.json'), 'utf8')) as {
      properties: { config: { properties: { providers: { additionalProperties: { properties: { type: { enum: string[] } } } } } } };
    };
    const allowed = schema.properties.config.properties.providers.additionalProperties.properties.type.enum;
    expect([...allowed].sort()).toEqual(PROVIDER_PLUGINS.map((plugin) => plugin.type).sort());
  });
});
