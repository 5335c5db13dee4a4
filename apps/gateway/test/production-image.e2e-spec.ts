/**
 * The production image without a Docker engine: reads the Dockerfile and .dockerignore, checks
 * the rules the image must keep (pinned Node 24 slim, non-root, exec-form node as PID 1, nothing
 * but dist/ + production node_modules + package.json in the last stage, no secrets), then replays
 * its stages in a temp dir:
 *
 *   build      COPY instructions applied to the context as .dockerignore leaves it, then
 *              `npm run build` for real (the stage's `npm ci` is stood in for by the repo's own
 *              node_modules, which `make install` installs with the same `npm ci` and lockfile);
 *   prod-deps  its COPY and its `npm ci --omit=dev --ignore-scripts` run for real (the registry);
 *   runtime    its COPY instructions, from the context and from the two stages above;
 *
 * and runs the CMD there with the image's ENV and only PATH added, so the gateway sees no
 * devDependency and no file the Dockerfile does not copy (the temp dir is outside the repo, so
 * module resolution cannot reach the repo's node_modules). It must answer readiness and a chat
 * completion through the mock provider, and exit 0 on SIGTERM.
 *
 * The parsing and the replay are scripts/images/ (dockerfile.ts, replay.ts), which the image
 * builder (scripts/images.sh) uses too; the last test unpacks the gateway image it builds and
 * finds the replay's /app in it, file by file.
 */
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { ignored, keyValues, only, parseCopy, parseDockerfile, parseDockerignore, runCommand } from '../../../scripts/images/dockerfile';
import { replayDockerfile, treeListing, walk, type StageFs } from '../../../scripts/images/replay';
import { describeRun, runChild } from './support/children';
import { ROOT, startProcess } from './support/processes';
import { IMAGE_BUILD_TIMEOUT_MS, START_TIMEOUT_MS } from './support/timeouts';

/** `npm ci` (from the registry) and `npm run build` (tsc) of a stage, on a loaded machine. */
const STAGE_COMMAND_TIMEOUT_MS = 240_000;

async function sh(command: string, cwd: string, timeoutMs: number): Promise<string> {
  const result = await runChild('/bin/sh', ['-c', command], { cwd, env: process.env, timeoutMs });
  if (result.code !== 0) throw new Error(describeRun(`'${command}' in ${cwd}`, result));
  return result.stdout + result.stderr;
}

// ---------------------------------------------------------------------------------------------

const dockerfileText = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const dockerfile = parseDockerfile(dockerfileText);
const ignoreRules = parseDockerignore(readFileSync(join(ROOT, '.dockerignore'), 'utf8'));
const stageByName = new Map(dockerfile.stages.map((s) => [s.name, s]));
const runtime = dockerfile.stages[dockerfile.stages.length - 1];
const cmd = JSON.parse(only(runtime, 'CMD').at(-1)!.args) as string[];
const runtimeEnv = Object.assign({}, ...only(runtime, 'ENV').map((i) => keyValues(i.args))) as Record<string, string>;

describe('Dockerfile', () => {
  it('builds every stage FROM one pinned Node 24 slim image', () => {
    expect(dockerfile.globalArgs.NODE_VERSION).toMatch(/^24\.\d+\.\d+$/);
    // The version the tests run on (scripts/ensure-node.sh) is the version the image runs.
    expect(readFileSync(join(ROOT, 'scripts/ensure-node.sh'), 'utf8')).toContain(`NODE_VERSION:-${dockerfile.globalArgs.NODE_VERSION}}`);
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'prod-deps', 'runtime']);
    for (const line of dockerfileText.split('\n').filter((l) => /^FROM\s/i.test(l))) expect(line).toMatch(/^FROM node:\$\{NODE_VERSION\}/);
    for (const stage of dockerfile.stages) {
      expect(stage.image).toMatch(/^node:24\.\d+\.\d+-[a-z]+-slim(@sha256:[0-9a-f]{64})?$/);
      expect(stage.image).toBe(`node:${dockerfile.globalArgs.NODE_VERSION}-bookworm-slim`);
    }
  });

  it('runs exec-form node as PID 1, as a non-root numeric user created in the image', () => {
    expect(only(runtime, 'ENTRYPOINT')).toEqual([]);
    expect(only(runtime, 'CMD')).toHaveLength(1);
    expect(cmd).toEqual(['node', 'dist/apps/gateway/src/main.js']);
    const users = only(runtime, 'USER');
    expect(users).toHaveLength(1);
    const [uid, gid] = users[0].args.split(':').map(Number);
    expect(uid).toBe(10001);
    expect(gid).toBe(10001);
    const cmdIndex = runtime.instructions.findIndex((i) => i.keyword === 'CMD');
    expect(runtime.instructions.indexOf(users[0])).toBeLessThan(cmdIndex);
    // Nothing runs as root after the switch.
    expect(runtime.instructions.slice(runtime.instructions.indexOf(users[0])).filter((i) => i.keyword === 'RUN')).toEqual([]);
    const created = only(runtime, 'RUN').map(runCommand).join('\n');
    expect(created).toMatch(/groupadd [^\n]*--gid 10001/);
    expect(created).toMatch(/useradd [^\n]*--uid 10001 --gid 10001/);
    expect(only(runtime, 'STOPSIGNAL').map((i) => i.args)).toEqual(['SIGTERM']);
    // The API and the metrics listener (observability.metrics.port's default).
    expect(only(runtime, 'EXPOSE').map((i) => i.args)).toEqual(['3000 9464']);
    expect(runtimeEnv).toEqual({ NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '3000' });
    expect(only(runtime, 'WORKDIR').map((i) => i.args)).toEqual(['/app']);
  });

  it('gives the last stage only dist/, production node_modules and package.json', () => {
    const copies = only(runtime, 'COPY').map(parseCopy);
    for (const copy of copies) {
      if (copy.from === undefined) expect(copy.sources).toEqual(['package.json']);
      else if (copy.from === 'prod-deps') expect(copy.sources).toEqual(['/app/node_modules/']);
      else {
        expect(copy.from).toBe('build');
        for (const source of copy.sources) expect(source).toMatch(/^\/app\/dist\//);
      }
      for (const source of copy.sources) expect(source).not.toMatch(/\.ts$|\.npmrc|\.env|tsconfig|test|spec|fixtures/);
    }
    expect(copies.some((c) => c.from === 'build' && c.sources.some((s) => s.startsWith('/app/node_modules')))).toBe(false);
    const prodInstall = only(stageByName.get('prod-deps')!, 'RUN').map(runCommand);
    expect(prodInstall).toEqual([expect.stringMatching(/^npm ci --omit=dev --ignore-scripts\b/)]);
  });

  it('bakes no secret into a layer', () => {
    for (const stage of dockerfile.stages) {
      for (const instruction of stage.instructions) {
        if (instruction.keyword === 'ARG' || instruction.keyword === 'ENV') expect(instruction.args).not.toMatch(/KEY|TOKEN|SECRET|PASSWORD|NPM_AUTH/i);
        if (instruction.keyword === 'COPY') expect(instruction.args).not.toMatch(/\.npmrc|\.env|\.pem|\.key\b|id_rsa|kubeconfig|^\.\s|\s\.\s/);
        if (instruction.keyword === 'ADD') throw new Error(`line ${instruction.line}: ADD (use COPY)`);
      }
    }
    for (const path of ['.git/config', '.npmrc', '.env', 'deploy/k8s/secret.pem', 'node_modules/x', 'dist/x.js', '.tools/bin/helm', 'apps/gateway/.env.local']) {
      expect({ path, ignored: ignored(ignoreRules, path) }).toEqual({ path, ignored: true });
    }
  });

  it('labels the image with the OCI annotations', () => {
    const labels = Object.assign({}, ...only(runtime, 'LABEL').map((i) => keyValues(i.args))) as Record<string, string>;
    for (const key of ['title', 'description', 'source', 'licenses', 'version', 'revision']) {
      expect(labels[`org.opencontainers.image.${key}`]).toBeTruthy();
    }
    expect(labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');
    expect(labels['org.opencontainers.image.version']).toBe('${VERSION}');
  });

  it('.dockerignore keeps tests, fixtures, the fake provider and tooling out, and the sources in', () => {
    for (const path of ['apps/gateway/test/shutdown.e2e-spec.ts', 'apps/fake-provider/src/main.ts', 'libs/core/src/sse.spec.ts', 'libs/providers/src/openai/fixtures/index.ts', 'bench/run.ts', 'coverage/x', 'bench/results/a.json', 'npm-debug.log']) {
      expect({ path, ignored: ignored(ignoreRules, path) }).toEqual({ path, ignored: true });
    }
    for (const path of ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'apps/gateway/src/main.ts', 'libs/core/src/index.ts', 'apps/capacity/src/main.ts']) {
      expect({ path, ignored: ignored(ignoreRules, path) }).toEqual({ path, ignored: false });
    }
  });
});

describe('the production image, replayed stage by stage', () => {
  let work: string;
  let stages: Map<string, StageFs>;
  let runtimeFiles: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'llm-hub-image-'));
    expect(relative(ROOT, work).startsWith('..')).toBe(true);
    // An empty directory: every stage runs (scripts/images/replay.ts), none is reused.
    stages = await replayDockerfile(dockerfile, ignoreRules, { context: ROOT, dir: work, run: async (command, cwd) => void (await sh(command, cwd, STAGE_COMMAND_TIMEOUT_MS)) });
    expect([...stages.values()].map((s) => s.replayed)).toEqual([true, true, true]);
    const app = stages.get('runtime')!;
    runtimeFiles = walk(join(app.root, app.workdir));
  }, 2 * STAGE_COMMAND_TIMEOUT_MS + 60_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('holds only package.json, the gateway (and capacity) JavaScript and production node_modules', () => {
    const top = [...new Set(runtimeFiles.map((f) => f.split('/')[0] + (f.includes('/') ? '/' : '')))].sort();
    expect(top).toEqual(['dist/', 'node_modules/', 'package.json']);
    const ours = runtimeFiles.filter((f) => !f.startsWith('node_modules/') && !f.endsWith('/'));
    expect(ours.filter((f) => !/^dist\/(apps\/(gateway|capacity)|libs)\/.+\.js(\.map)?$/.test(f) && f !== 'package.json')).toEqual([]);
    expect(ours.filter((f) => /\.ts$|spec|\/test\/|fixtures/.test(f))).toEqual([]);
    expect(ours).toContain('dist/apps/gateway/src/main.js');

    const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { dev?: boolean }> };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string>; dependencies: Record<string, string> };
    const installed = runtimeFiles.filter((f) => /^node_modules\/(@[^/]+\/)?[^/@.][^/]*\/$/.test(f)).map((f) => f.slice(0, -1));
    expect(installed.length).toBeGreaterThan(Object.keys(pkg.dependencies).length);
    // A devDependency that production code also pulls in (ajv, through fastify) is not dev-only.
    const devOnly = Object.keys(pkg.devDependencies).filter((name) => lock.packages[`node_modules/${name}`]?.dev === true);
    expect(devOnly).toEqual(expect.arrayContaining(['typescript', 'jest', 'ts-jest', 'tsc-alias']));
    for (const dev of devOnly) expect(installed).not.toContain(`node_modules/${dev}`);
    expect(installed.filter((path) => lock.packages[path]?.dev === true)).toEqual([]);
    for (const dep of Object.keys(pkg.dependencies)) expect(installed).toContain(`node_modules/${dep}`);
  });

  it('serves readiness and a chat completion with production dependencies only, and exits 0 on SIGTERM', async () => {
    const app = stages.get('runtime')!;
    const env = { PATH: process.env.PATH ?? '', ...runtimeEnv, HOST: '127.0.0.1', PORT: '0', LLM_HUB_METRICS_PORT: '0' };
    expect(cmd[0]).toBe('node');
    const gateway = await startProcess(cmd[1], env, undefined, { cwd: join(app.root, app.workdir) });
    try {
      expect((await fetch(`${gateway.url}/health/live`)).status).toBe(200);
      const ready = await fetch(`${gateway.url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ status: 'ok' });

      const response = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock/mock-1', messages: [{ role: 'user', content: 'hello from the image' }] }),
      });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-llm-hub-provider')).toBe('mock');
      const body = (await response.json()) as { object: string; choices: Array<{ message: { content: string }; finish_reason: string }> };
      expect(body.object).toBe('chat.completion');
      expect(body.choices[0].message.content.length).toBeGreaterThan(0);
      expect(body.choices[0].finish_reason).toBe('stop');

      const stream = await fetch(`${gateway.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'mock/mock-1', stream: true, messages: [{ role: 'user', content: 'stream' }] }),
      });
      expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
      expect((await stream.text()).trimEnd().endsWith('data: [DONE]')).toBe(true);

      // package.json is in the image: the build info carries its version.
      const metrics = await (await fetch(`${gateway.metricsUrl!}/metrics`)).text();
      expect(metrics).toMatch(/llm_hub_build_info\{version="0\.1\.0"/);
    } finally {
      if (gateway.child.exitCode === null) gateway.child.kill('SIGTERM');
    }
    expect(await gateway.exited).toBe(0);
    expect(gateway.output()).toContain('"msg":"stopped"');
    expect(gateway.output()).not.toMatch(/"level":(50|60)/);
  }, START_TIMEOUT_MS);

  it("is what the gateway image (scripts/images.sh) holds: the same /app, file by file, owned by root, and the final stage's config", async () => {
    // The image the cluster specs run, built (or found up to date) the way `make images` builds it.
    const built = await runChild(join(ROOT, 'scripts/images.sh'), ['build', 'gateway'], { cwd: ROOT, env: process.env, timeoutMs: IMAGE_BUILD_TIMEOUT_MS });
    if (built.code !== 0) throw new Error(describeRun('scripts/images.sh build gateway', built));
    const archive = (JSON.parse(built.stdout) as Record<string, { archive: string }>).gateway.archive;

    // A docker-archive: manifest.json, the config, and the layers in order.
    const unpacked = join(work, 'image');
    const rootfs = join(unpacked, 'rootfs');
    mkdirSync(rootfs, { recursive: true });
    await sh(`tar -xf '${archive}'`, unpacked, 60_000);
    const [manifest] = JSON.parse(readFileSync(join(unpacked, 'manifest.json'), 'utf8')) as Array<{ Config: string; Layers: string[] }>;
    for (const layer of manifest.Layers) await sh(`tar -xf '${join(unpacked, layer)}'`, rootfs, 60_000);

    const app = stages.get('runtime')!;
    const replayed = treeListing(join(app.root, app.workdir));
    const inImage = treeListing(join(rootfs, 'app'));
    expect(inImage.length).toBeGreaterThan(1000);
    const replayedSet = new Set(replayed);
    const inImageSet = new Set(inImage);
    expect({ notInImage: replayed.filter((l) => !inImageSet.has(l)), notReplayed: inImage.filter((l) => !replayedSet.has(l)) }).toEqual({ notInImage: [], notReplayed: [] });
    // COPY without --chown: root's, so the gateway (uid 10001) cannot rewrite its own code.
    const writable = walk(join(rootfs, 'app')).filter((path) => {
      const stat = lstatSync(join(rootfs, 'app', path));
      return stat.uid !== 0 || stat.gid !== 0 || (!stat.isSymbolicLink() && (stat.mode & 0o022) !== 0);
    });
    expect(writable).toEqual([]);
    // Besides /app, only the base: node, its libraries, /etc, /tmp.
    expect(walk(rootfs).filter((p) => !p.includes('/') || /^[^/]+\/$/.test(p)).sort()).toEqual(['app/', 'bin', 'etc/', 'lib', 'lib64', 'sbin', 'tmp/', 'usr/']);
    expect(readFileSync(join(rootfs, 'etc/passwd'), 'utf8')).toMatch(/^llmhub:x:10001:10001:/m);

    const config = (JSON.parse(readFileSync(join(unpacked, manifest.Config), 'utf8')) as { config: Record<string, unknown> }).config as {
      User: string;
      Cmd: string[];
      Entrypoint?: string[];
      Env: string[];
      WorkingDir: string;
      ExposedPorts: Record<string, unknown>;
      StopSignal: string;
      Labels: Record<string, string>;
    };
    expect(config.User).toBe(only(runtime, 'USER')[0].args);
    expect(config.Cmd).toEqual(cmd);
    expect(config.Entrypoint ?? null).toBeNull();
    expect(config.Env).toEqual(expect.arrayContaining(Object.entries(runtimeEnv).map(([k, v]) => `${k}=${v}`)));
    expect(config.WorkingDir).toBe('/app');
    expect(Object.keys(config.ExposedPorts).sort()).toEqual(['3000/tcp', '9464/tcp']);
    expect(config.StopSignal).toBe('SIGTERM');
    expect(config.Labels['org.opencontainers.image.licenses']).toBe('Apache-2.0');
    expect(config.Labels['org.opencontainers.image.version']).toBe((JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  }, IMAGE_BUILD_TIMEOUT_MS + 120_000);

  it('runs the capacity planner from the same image', async () => {
    const app = stages.get('runtime')!;
    const output = await sh(`"${process.execPath}" dist/apps/capacity/src/main.js --peak-rps 5000 --target-rps 500 --safety 1.5`, join(app.root, app.workdir), 30_000);
    expect(output).toContain('= 5000 / 500 × 1.5 = 15');
    expect(output).toContain('averageValue: 333334m');
  });
});
