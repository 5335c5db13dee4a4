import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Evidence } from './fixtures/leftover-children/evidence';
import { runChild, spawnChild } from './support/children';
import { eventually } from './support/processes';
import { RUN_DIR_ENV, describeRecord, killRecords, liveRecords, processRunning, readRecords } from './support/reap';

/**
 * The test harness itself (support/children.ts, docs/testing.md): whatever a spec does wrong, no
 * process it started outlives its jest, and jest exits by itself. Each test runs a jest of its own
 * on the fixtures in fixtures/leftover-children, with the repository's e2e settings, and then looks
 * for anything still running among what that jest recorded (the children, in its run directory)
 * and what its specs reported (the grandchild a script left behind).
 *
 * The fixtures are deterministic: the children are recorded the moment they are spawned, and a
 * fixture ends by timing out on a promise that never settles, by killing its own worker, or by
 * waiting for this spec's SIGTERM; how long anything takes to start does not change the outcome.
 */

const JEST = require.resolve('jest/bin/jest');
const FIXTURES = join(__dirname, 'fixtures/leftover-children');
/** The fixture's jest takes seconds; past this it is taken for hung (and killed). */
const EXIT_BOUND_MS = 120_000;
/** A test: the bound, plus the checks and the clean-up. */
const TEST_TIMEOUT_MS = EXIT_BOUND_MS + 30_000;

interface Run {
  /** The fixture jest's run directory (its records of children). */
  runDir: string;
  /** What its specs report (Evidence files) and jest's --json report. */
  evidenceDir: string;
}

let run: Run;

beforeEach(() => {
  // Inside this run's directory: if this jest is stopped before afterEach, its reaper finds these too.
  const outer = process.env[RUN_DIR_ENV] ?? tmpdir();
  run = { runDir: mkdtempSync(join(outer, 'nested-')), evidenceDir: mkdtempSync(join(tmpdir(), 'llm-hub-harness-evidence-')) };
});

afterEach(() => {
  // Whatever the outcome, leave nothing running ourselves.
  killRecords(readRecords(run.runDir));
  for (const { grandchild } of evidence()) if (processRunning(grandchild.pid, grandchild.startTime)) process.kill(grandchild.pid, 'SIGKILL');
  rmSync(run.runDir, { recursive: true, force: true });
  rmSync(run.evidenceDir, { recursive: true, force: true });
});

function jestArgs(fixtures: string[], ...flags: string[]): string[] {
  const report = join(run.evidenceDir, 'report.json');
  return [JEST, '--config', join(FIXTURES, 'jest.config.js'), '--ci', '--json', `--outputFile=${report}`, ...flags, '--runTestsByPath', ...fixtures.map((f) => join(FIXTURES, f))];
}

function jestEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, [RUN_DIR_ENV]: run.runDir, LEFTOVER_EVIDENCE_DIR: run.evidenceDir, ...extra };
  delete env.JEST_WORKER_ID; // this jest's, not the fixture jest's
  return env;
}

/** What the fixtures reported, by file name (e.g. `hung-hook`, `killed-worker-<pid>`). */
function evidence(): Array<Evidence & { name: string }> {
  if (!existsSync(run.evidenceDir)) return [];
  return readdirSync(run.evidenceDir)
    .filter((file) => file !== 'report.json' && file.endsWith('.json'))
    .map((file) => ({ name: file.slice(0, -'.json'.length), ...(JSON.parse(readFileSync(join(run.evidenceDir, file), 'utf8')) as Evidence) }));
}

/** Every recorded child whose process group still runs, and every reported grandchild still running. */
function stillRunning(): string[] {
  const children = liveRecords(readRecords(run.runDir)).map(describeRecord);
  const grandchildren = evidence()
    .map((e) => e.grandchild)
    .filter((g) => processRunning(g.pid, g.startTime))
    .map((g) => `grandchild ${g.pid}`);
  return [...children, ...grandchildren];
}

/** Each fixture file's failure message, from jest's --json report. */
function failures(): Record<string, string> {
  const report = JSON.parse(readFileSync(join(run.evidenceDir, 'report.json'), 'utf8')) as {
    testResults: Array<{ name: string; message: string }>;
  };
  return Object.fromEntries(report.testResults.map((result) => [result.name.slice(FIXTURES.length + 1), result.message]));
}

/** The fixtures recorded what they started, and those records are the ones on disk. */
function expectRecorded(name: string, children: number): void {
  const reported = evidence().filter((e) => e.name.startsWith(name));
  expect(reported.length).toBeGreaterThanOrEqual(1);
  const onDisk = new Set(readRecords(run.runDir).map((record) => record.pid));
  for (const e of reported) {
    expect(e.children).toHaveLength(children);
    for (const child of e.children) expect(onDisk.has(child.pid)).toBe(true);
    expect(e.grandchild.pid).toBeGreaterThan(0);
  }
}

it(
  'a beforeAll that times out after starting a gateway: jest fails the file, exits by itself, and nothing it started runs on',
  async () => {
    const result = await runChild(process.execPath, jestArgs(['hung-hook.fixture.ts'], '--runInBand'), { env: jestEnv(), timeoutMs: EXIT_BOUND_MS });
    expect({ timedOut: result.timedOut, code: result.code }).toEqual({ timedOut: false, code: 1 });
    expect(failures()['hung-hook.fixture.ts']).toMatch(/Exceeded timeout of 5000 ms for a hook/);
    // The orphaning script, the fake provider and the gateway.
    expectRecorded('hung-hook', 3);
    expect(stillRunning()).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);

it(
  'a jest worker killed with children running: the global teardown kills them, and jest exits by itself',
  async () => {
    // Two files and two workers: jest does not run them in band, so each has a worker of its own.
    const result = await runChild(process.execPath, jestArgs(['hung-hook.fixture.ts', 'killed-worker.fixture.ts'], '--maxWorkers=2'), {
      env: jestEnv(),
      timeoutMs: EXIT_BOUND_MS,
    });
    expect({ timedOut: result.timedOut, code: result.code }).toEqual({ timedOut: false, code: 1 });
    expect(failures()['hung-hook.fixture.ts']).toMatch(/Exceeded timeout of 5000 ms for a hook/);
    expect(failures()['killed-worker.fixture.ts']).toMatch(/SIGKILL/);
    // Nothing ran that dead worker's teardown: the global teardown found its children on disk.
    expect(result.stderr).toContain('[children] killed children that outlived their test file');
    expectRecorded('killed-worker', 2);
    expect(stillRunning()).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);

it(
  'SIGTERM to jest (scripts/jest.sh on its time limit): jest kills what its specs started, then exits',
  async () => {
    const jest = spawnChild(process.execPath, jestArgs(['hung-hook.fixture.ts'], '--runInBand'), {
      env: jestEnv({ LEFTOVER_HOOK_TIMEOUT_MS: String(10 * 60_000) }),
      stdio: 'ignore',
    });
    const exited = new Promise<string>((resolve) => jest.once('exit', (code, signal) => resolve(`${code ?? signal}`)));
    // Its beforeAll has started everything and waits (for ten minutes): now the time limit strikes.
    expect(await eventually(async () => evidence().length, (n) => n === 1, EXIT_BOUND_MS)).toBe(1);
    process.kill(jest.pid!, 'SIGTERM'); // `timeout --foreground` signals jest itself, not its group
    const bound = new Promise<string>((resolve) => setTimeout(() => resolve('still running'), 30_000).unref());
    expect(await Promise.race([exited, bound])).toBe('143');
    expectRecorded('hung-hook', 3);
    // Its signal handler SIGKILLs and exits at once, without waiting for them to be gone.
    expect(await eventually(async () => stillRunning(), (left) => left.length === 0, 10_000)).toEqual([]);
  },
  TEST_TIMEOUT_MS,
);
