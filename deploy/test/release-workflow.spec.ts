import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { runChild, type RunResult } from '../../apps/gateway/test/support/children';
import { finalStage, only, parseDockerfile } from '../../scripts/images/dockerfile';
import { kubernetesRelease } from './support/k8s-schema';
import { CHART_DIR, parseManifests, REPO_ROOT, tool } from './support/render';

/**
 * The release workflow (.github/workflows/release.yml), checked without GitHub or a network: on a
 * v* tag it pushes the image that the chart it publishes deploys by default. Its shell steps run
 * here for real: the version step as Actions runs it (GITHUB_REF_NAME, GITHUB_OUTPUT), and the
 * chart step with the real helm, whose `registry login` and `push` (the only calls that would
 * reach a registry) are recorded instead of made.
 */

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | boolean>;
  env?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  outputs?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, Job>;
}

const WORKFLOW_FILE = join(REPO_ROOT, '.github/workflows/release.yml');
const text = readFileSync(WORKFLOW_FILE, 'utf8');
const workflow = parse(text) as Workflow;
const values = parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8')) as { image: { repository: string; tag: string; digest: string } };
const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { name: string };
const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };

const step = (job: string, uses: string): Step => {
  const found = workflow.jobs[job].steps.find((s) => s.uses?.startsWith(`${uses}@`));
  if (!found) throw new Error(`job ${job} has no ${uses} step`);
  return found;
};
const lines = (value: unknown) =>
  String(value)
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);

/** A step's shell script, as the runner runs it (bash -e), in cwd with this env only (plus PATH). */
async function runStep(script: string, cwd: string, env: Record<string, string>, path = process.env.PATH ?? ''): Promise<RunResult> {
  return runChild('bash', ['-e', '-c', script], { cwd, env: { PATH: path, ...env }, timeoutMs: 60_000 });
}

describe('the release workflow', () => {
  it('runs on v* tags, with read-only defaults and every action pinned to a commit', () => {
    expect(workflow.on).toEqual({ push: { tags: ['v*'] } });
    expect(workflow.permissions).toEqual({ contents: 'read' });
    const uses = text.split('\n').filter((l) => /^\s*(- )?uses:/.test(l));
    expect(uses.length).toBeGreaterThanOrEqual(8);
    for (const line of uses) expect(line).toMatch(/uses: [\w.-]+\/[\w.-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    // Only the two jobs that publish may write packages.
    expect(Object.entries(workflow.jobs).filter(([, job]) => job.permissions?.packages === 'write').map(([name]) => name).sort()).toEqual(['chart', 'image']);
  });

  it("pushes the chart's default image, <image.repository>:<version>, for amd64 and arm64, from the Dockerfile with VERSION and REVISION", () => {
    expect(workflow.env.IMAGE).toBe(values.image.repository);
    // No tag and no digest in the defaults: the chart deploys <repository>:<appVersion>.
    expect(values.image.tag).toBe('');
    expect(values.image.digest).toBe('');

    expect(step('image', 'docker/setup-qemu-action')).toBeDefined();
    expect(step('image', 'docker/setup-buildx-action')).toBeDefined();
    expect(step('image', 'docker/login-action').with).toEqual({ registry: 'ghcr.io', username: '${{ github.actor }}', password: '${{ secrets.GITHUB_TOKEN }}' });
    expect(workflow.env.IMAGE.startsWith('ghcr.io/')).toBe(true);

    const meta = step('image', 'docker/metadata-action');
    expect(meta.with?.images).toBe('${{ env.IMAGE }}');
    // metadata-action's {{version}} of the tag v1.2.3 is 1.2.3: the version the chart gets as appVersion.
    expect(lines(meta.with?.tags)).toContain('type=semver,pattern={{version}}');

    const build = step('image', 'docker/build-push-action');
    expect(build.with).toMatchObject({ context: '.', platforms: 'linux/amd64,linux/arm64', push: true, tags: `\${{ steps.${meta.id}.outputs.tags }}`, labels: `\${{ steps.${meta.id}.outputs.labels }}` });
    expect(lines(build.with?.['build-args'])).toEqual(['VERSION=${{ needs.version.outputs.version }}', 'REVISION=${{ github.sha }}']);
    // Both are build args of the image's stage, and its version label reads VERSION.
    const dockerfile = parseDockerfile(readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8'));
    expect(only(finalStage(dockerfile), 'ARG').map((a) => a.args.split('=')[0])).toEqual(['VERSION', 'REVISION']);
    expect(only(finalStage(dockerfile), 'LABEL').map((l) => l.args).join(' ')).toContain('org.opencontainers.image.version="${VERSION}"');
  });

  it("takes the version from the tag, and refuses a tag that is not package.json's version", async () => {
    const versionStep = workflow.jobs.version.steps.find((s) => s.id === 'version')!;
    expect(workflow.jobs.version.outputs).toEqual({ version: '${{ steps.version.outputs.version }}' });
    const dir = mkdtempSync(join(tmpdir(), 'llm-hub-release-'));
    try {
      const output = join(dir, 'output');
      const ok = await runStep(versionStep.run!, REPO_ROOT, { GITHUB_REF_NAME: `v${pkg.version}`, GITHUB_OUTPUT: output });
      expect(ok.code).toBe(0);
      expect(readFileSync(output, 'utf8')).toBe(`version=${pkg.version}\n`);

      for (const tag of ['v99.0.0', 'vnext', `${pkg.version}`.replace(/^/, 'release-')]) {
        const refused = await runStep(versionStep.run!, REPO_ROOT, { GITHUB_REF_NAME: tag, GITHUB_OUTPUT: join(dir, `refused-${tag}`) });
        expect({ tag, code: refused.code, error: refused.stdout.includes('::error::') }).toEqual({ tag, code: 1, error: true });
        expect(existsSync(join(dir, `refused-${tag}`))).toBe(false);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('packages the chart with version = appVersion = the tag, whose default image is the one pushed, and pushes it to the OCI registry after the image', async () => {
    const job = workflow.jobs.chart;
    expect(job.needs).toEqual(['version', 'image']);
    // The helm that `make test` lints and renders with.
    expect(readFileSync(join(REPO_ROOT, 'scripts/install-helm.sh'), 'utf8')).toContain(`HELM_VERSION=${step('chart', 'azure/setup-helm').with?.version}`);
    expect(workflow.env.CHART_REGISTRY).toMatch(/^oci:\/\/ghcr\.io\/[a-z0-9-]+\/charts$/);
    expect(join(REPO_ROOT, workflow.env.CHART_DIR)).toBe(CHART_DIR);
    const script = job.steps.find((s) => s.run)!;
    expect(script.env?.VERSION).toBe('${{ needs.version.outputs.version }}');

    const dir = mkdtempSync(join(tmpdir(), 'llm-hub-release-'));
    try {
      // helm on PATH: the real one, except for the two calls that would reach the registry.
      const calls = join(dir, 'registry-calls');
      writeFileSync(join(dir, 'helm'), `#!/bin/sh\ncase "$1" in registry|push) echo "$@" >>'${calls}'; cat >/dev/null ;; *) exec '${tool('helm')}' "$@" ;; esac\n`);
      chmodSync(join(dir, 'helm'), 0o755);
      const version = '9.8.7';
      const out = await runStep(
        script.run!,
        dir,
        { VERSION: version, CHART_DIR, CHART_REGISTRY: workflow.env.CHART_REGISTRY, REGISTRY_USER: 'someone', REGISTRY_PASSWORD: 'token', HOME: dir },
        `${dir}:${process.env.PATH}`,
      );
      if (out.code !== 0) throw new Error(`the chart step failed (${out.code}):\n${out.stdout}${out.stderr}`);
      const packaged = join(dir, 'dist-chart', `${chart.name}-${version}.tgz`);
      expect(readFileSync(calls, 'utf8').split('\n').filter(Boolean)).toEqual([
        'registry login ghcr.io --username someone --password-stdin',
        `push dist-chart/${chart.name}-${version}.tgz ${workflow.env.CHART_REGISTRY}`,
      ]);

      const shown = await runChild(tool('helm'), ['show', 'chart', packaged], { timeoutMs: 60_000 });
      expect(parse(shown.stdout)).toMatchObject({ name: chart.name, version, appVersion: version });
      const rendered = await runChild(tool('helm'), ['template', 'hub', packaged, '--show-only', 'templates/deployment.yaml', '--kube-version', `v${kubernetesRelease()}`], { timeoutMs: 60_000 });
      expect(rendered.stderr).toBe('');
      const deployment = parseManifests(rendered.stdout)[0] as unknown as { spec: { template: { spec: { containers: Array<{ name: string; image: string }> } } } };
      // The image job pushed exactly this: IMAGE with metadata-action's {{version}} tag.
      expect(deployment.spec.template.spec.containers[0].image).toBe(`${workflow.env.IMAGE}:${version}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
