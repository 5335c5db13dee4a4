import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubectl, kubectlOk, run, type ClusterPaths } from '../support/cluster';
import { IMAGES_TIMEOUT_MS } from '../support/images';
import { REPO_ROOT } from '../support/render';
import { ACQUIRE_TIMEOUT_MS, acquireCluster, releaseCluster } from '../support/shared-cluster';

/**
 * The scaling runner (loadtest/scaling, `make scaling`) as a real process against the run's
 * cluster: scripts/scaling.sh installs the chart (bundled Redis Cluster, a 100m CPU limit per pod)
 * and the fake provider, as the benchmark does, and the runner pins the replicas, runs its load
 * Jobs and writes its report. Short steps and a loose gate: the test proves the runner, not the
 * machine (the benchmark's 1, 2, 4, 8 and 0.95 gate are in docs/benchmarks.md).
 */

const NAMESPACE = 'scaling-spec';
const DEPLOYMENT = 'hub-llm-connector-hub';
/** Efficiency at 2 replicas that only a broken measure misses, even on a busy shared machine. */
const SANITY_GATE = '0.3';
const RUNNER_TIMEOUT_MS = 6 * 60_000;

interface Hpa {
  spec: { minReplicas: number; maxReplicas: number };
}

describe('the scaling runner in the cluster', () => {
  let paths: ClusterPaths;
  let loadRunner: string;
  let originalHpa: Hpa['spec'];
  const outDirs: string[] = [];

  beforeAll(async () => {
    paths = await acquireCluster();
  }, ACQUIRE_TIMEOUT_MS);

  beforeAll(async () => {
    const setup = await run(join(REPO_ROOT, 'scripts/scaling.sh'), ['setup'], { timeoutMs: IMAGES_TIMEOUT_MS, env: { ...process.env, SCALING_NAMESPACE: NAMESPACE } });
    if (setup.code !== 0) throw new Error(`scripts/scaling.sh setup failed (exit ${setup.code}):\n${setup.stdout}${setup.stderr}`);
    loadRunner = setup.stdout.trim().split(' ')[1];
    originalHpa = (await hpa()).spec;
  }, IMAGES_TIMEOUT_MS + 30_000);

  afterAll(async () => {
    for (const dir of outDirs) rmSync(dir, { recursive: true, force: true });
    // The cluster is shared with the run's other cluster specs: leave it as it was.
    if (paths) await kubectl(paths, ['delete', 'namespace', NAMESPACE, '--ignore-not-found', '--wait=false']);
    releaseCluster();
  });

  const hpa = async (): Promise<Hpa> => JSON.parse(await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'hpa', DEPLOYMENT, '-o', 'json'])) as Hpa;

  const runner = (flags: string[]) => {
    const out = mkdtempSync(join(tmpdir(), 'scaling-spec-'));
    outDirs.push(out);
    const args = [
      join(REPO_ROOT, 'dist/loadtest/scaling/main.js'),
      ...['--kubeconfig', paths.kubeconfig, '--namespace', NAMESPACE, '--deployment', DEPLOYMENT, '--image', loadRunner],
      ...['--model', 'openai/gpt-4o-mini', '--prompt-suffix', '[[fake latency=500]]', '--warmup', '0s', '--duration', '8s', '--out', out],
      // A light load: the other cluster specs of the run share the node and its 2 cores.
      ...['--rate-per-replica', '60', '--vus-per-replica', '20'],
      ...flags,
    ];
    return run(process.execPath, args, { timeoutMs: RUNNER_TIMEOUT_MS }).then((result) => ({ ...result, out }));
  };

  it('measures 1 and 2 replicas: one progress line per step, the table and the SVG written, the HPA restored, exit 0', async () => {
    expect(originalHpa).toEqual({ ...originalHpa, minReplicas: 2, maxReplicas: 15 });
    const result = await runner(['--replicas', '1,2', '--gate', SANITY_GATE]);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.any(String) });

    // One line per step (and, for a step whose pods stayed below their CPU limit, a warning after it).
    const steps = result.stderr.split('\n').filter((line) => /^\[scaling\] \[\d\/2\] \d+ replicas?: Ready in/.test(line));
    expect(steps).toEqual([
      expect.stringMatching(/^\[scaling\] \[1\/2\] 1 replica: Ready in \d+ s; [\d.]+ req\/s \(linear [\d.]+, efficiency 100\.0 %\), p95 [\d.]+ ms, errors 0\.00 %/),
      expect.stringMatching(/^\[scaling\] \[2\/2\] 2 replicas: Ready in \d+ s; [\d.]+ req\/s \(linear [\d.]+, efficiency [\d.]+ %\)/),
    ]);
    expect(result.stderr).toContain('CPU limit 100m');
    expect(result.stderr).toMatch(/HPA restored: min 2, max 15/);

    const table = readFileSync(join(result.out, 'scaling.md'), 'utf8');
    expect(table.split('\n').filter((line) => /^\| [12] \|/.test(line))).toHaveLength(2);
    expect(result.stdout).toContain(table.trim());
    const svg = readFileSync(join(result.out, 'scaling.svg'), 'utf8');
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
    const report = JSON.parse(readFileSync(join(result.out, 'scaling.json'), 'utf8')) as { steps: Array<{ replicas: number; rps: number; errorRate: number; cacheHitRate: number }> };
    expect(report.steps.map((s) => s.replicas)).toEqual([1, 2]);
    for (const step of report.steps) {
      expect(step.rps).toBeGreaterThan(0);
      expect(step.errorRate).toBe(0);
    }

    // The HPA is as it was; the load Jobs are gone.
    expect((await hpa()).spec).toEqual(originalHpa);
    expect((await kubectlOk(paths, ['-n', NAMESPACE, 'get', 'jobs', '-l', 'llm-connector-hub.io/scaling-runner', '-o', 'name'])).trim()).toBe('');
  }, RUNNER_TIMEOUT_MS + 30_000);

  it('exits 2 below the gate (an impossible one), still writing the report and restoring the HPA', async () => {
    const result = await runner(['--replicas', '1', '--gate', '1.5']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('BELOW THE GATE: efficiency at 1 replicas: 100.0 % (gate 150.0 %)') });
    expect(existsSync(join(result.out, 'scaling.svg'))).toBe(true);
    expect((await hpa()).spec).toEqual(originalHpa);
  }, RUNNER_TIMEOUT_MS + 30_000);

  it('exits 1 when the Deployment is not there, and 64 on a bad flag, touching nothing', async () => {
    const missing = await runner(['--deployment', 'no-such-gateway', '--replicas', '1']);
    expect({ code: missing.code, stderr: missing.stderr }).toEqual({ code: 1, stderr: expect.stringMatching(/failed: .*(404|not found)/is) });
    const bad = await runner(['--replicas', '2,1']);
    expect({ code: bad.code, stderr: bad.stderr }).toEqual({ code: 64, stderr: expect.stringContaining('--replicas: 2,1 is not ascending') });
    expect((await hpa()).spec).toEqual(originalHpa);
  }, 60_000);
});
