/**
 * The runner's command line, made for Kubernetes Jobs as much as for people: every setting is an
 * environment variable (settings.ts, the same names k6 reads from __ENV) and may also be given as
 * a flag of the same name (`--target-url` for TARGET_URL); a flag wins over the environment. The
 * runner's own settings: SCENARIO (or the first argument), RESULT_FILE, MAX_ITERATIONS.
 */
import { parseArgs } from 'node:util';
import { SETTINGS, SettingsError, type Env } from '../scenarios/settings';
import { SCENARIOS } from './scenarios';

const RUNNER_SETTINGS = {
  SCENARIO: { default: 'smoke', doc: `the scenario to run: ${Object.keys(SCENARIOS).join(', ')}` },
  RESULT_FILE: { default: undefined, doc: 'also write the JSON result to this file' },
  MAX_ITERATIONS: { default: undefined, doc: 'start no more iterations than this (the run also ends when its schedule does)' },
} as const;

export interface Cli {
  help: boolean;
  scenario: string;
  resultFile: string | undefined;
  maxIterations: number | undefined;
  /** The environment with the flags applied: what settingsFrom reads. */
  env: Env;
}

const flagOf = (name: string) => name.toLowerCase().replace(/_/g, '-');
const ALL: Record<string, { default: string | undefined; doc: string }> = { ...RUNNER_SETTINGS, ...SETTINGS };

export function usage(): string {
  const rows = Object.entries(ALL).map(([name, spec]) => `  --${flagOf(name).padEnd(20)} ${name.padEnd(20)} ${spec.doc}${spec.default ? ` (default ${spec.default})` : ''}`);
  return [
    'Usage: node dist/loadtest/runner/main.js [SCENARIO] [--flag value ...]',
    '',
    'Runs a load-test scenario of loadtest/scenarios/ against the gateway, prints a k6-like summary and,',
    'as the last line of stdout, the result as JSON. Exit status: 0 when every threshold passed, 99 when',
    'one failed, 104 for a bad setting, 105 when stopped by SIGTERM or SIGINT (k6\'s codes).',
    '',
    'Each setting is an environment variable or a flag (the flag wins):',
    ...rows,
    '',
  ].join('\n');
}

/** Parses argv (without node and the script) over the environment; throws SettingsError on a bad flag. */
export function parseCli(argv: readonly string[], env: Env): Cli {
  const options = Object.fromEntries(Object.keys(ALL).map((name) => [flagOf(name), { type: 'string' as const }]));
  let parsed;
  try {
    parsed = parseArgs({ args: [...argv], options: { ...options, help: { type: 'boolean', short: 'h' } }, allowPositionals: true, strict: true });
  } catch (error) {
    throw new SettingsError((error as Error).message);
  }
  if (parsed.positionals.length > 1) throw new SettingsError(`one scenario at a time (got ${parsed.positionals.join(', ')})`);
  const merged: Record<string, string | undefined> = { ...env };
  for (const name of Object.keys(ALL)) {
    const value = (parsed.values as Record<string, string | boolean | undefined>)[flagOf(name)];
    if (typeof value === 'string') merged[name] = value;
  }
  if (parsed.positionals[0] !== undefined) merged.SCENARIO = parsed.positionals[0];
  const scenario = merged.SCENARIO || RUNNER_SETTINGS.SCENARIO.default;
  if (!Object.hasOwn(SCENARIOS, scenario)) throw new SettingsError(`SCENARIO: ${JSON.stringify(scenario)} is not one of ${Object.keys(SCENARIOS).join(', ')}`);
  const max = merged.MAX_ITERATIONS;
  if (max !== undefined && max !== '' && !/^\d+$/.test(max)) throw new SettingsError(`MAX_ITERATIONS: ${JSON.stringify(max)} is not a whole number`);
  return {
    help: parsed.values.help === true,
    scenario,
    resultFile: merged.RESULT_FILE || undefined,
    maxIterations: max ? Number(max) : undefined,
    env: merged,
  };
}
