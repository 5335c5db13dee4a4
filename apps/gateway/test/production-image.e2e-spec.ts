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
 */
import { cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, posix, relative } from 'node:path';
import { describeRun, runChild } from './support/children';
import { ROOT, startProcess } from './support/processes';
import { START_TIMEOUT_MS } from './support/timeouts';

// ---------------------------------------------------------------------------------------------
// Dockerfile parsing
// ---------------------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

interface Stage {
  image: string;
  name: string;
  instructions: Instruction[];
}

interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

function parseDockerfile(text: string): Dockerfile {
  const instructions: Instruction[] = [];
  let pending = '';
  let start = 0;
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (pending === '' && (line === '' || line.startsWith('#'))) return;
    if (pending !== '' && line.startsWith('#')) return; // comment lines inside a continuation
    if (pending === '') start = index + 1;
    if (line.endsWith('\\')) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = '';
    const match = /^(\S+)\s*(.*)$/.exec(full)!;
    instructions.push({ keyword: match[1].toUpperCase(), args: match[2], line: start });
  });
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      const [image, as, name] = instruction.args.split(/\s+/);
      stages.push({ image: substitute(image, globalArgs), name: as?.toUpperCase() === 'AS' ? name : String(stages.length), instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.keyword !== 'ARG') throw new Error(`line ${instruction.line}: only ARG may precede the first FROM`);
      const [key, value = ''] = instruction.args.split('=');
      globalArgs[key.trim()] = value.trim();
    } else {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b)!;
    if (!(name in args)) throw new Error(`undefined build arg ${name} in '${text}'`);
    return args[name];
  });
}

function only(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** `KEY=value KEY2="v 2"` (ENV, LABEL) into a map. */
function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    out[match[1]] = match[2].startsWith('"') ? (JSON.parse(match[2]) as string) : match[2];
  }
  return out;
}

interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

function parseCopy(instruction: Instruction): Copy {
  const words = instruction.args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
    else if (!/^--(chown|chmod|link)(=|$)/.test(flag)) throw new Error(`line ${instruction.line}: COPY flag ${flag} is not replayed by this spec`);
  }
  if (words[0]?.startsWith('[')) throw new Error(`line ${instruction.line}: use the plain COPY form`);
  const dest = words.pop()!;
  return { from, sources: words, dest };
}

/** RUN's command without BuildKit's --mount/--network/--security flags. */
function runCommand(instruction: Instruction): string {
  return instruction.args.replace(/^(--\S+\s+)+/, '').trim();
}

// ---------------------------------------------------------------------------------------------
// .dockerignore (moby/patternmatcher semantics: last match wins, a match on a parent directory
// excludes everything under it, `**` spans directories, `*` and `?` do not)
// ---------------------------------------------------------------------------------------------

interface IgnoreRule {
  negate: boolean;
  regex: RegExp;
  pattern: string;
}

function parseDockerignore(text: string): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (const raw of text.split('\n')) {
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const negate = line.startsWith('!');
    if (negate) line = line.slice(1).trim();
    const pattern = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '');
    let source = '';
    for (let i = 0; i < pattern.length; i++) {
      const c = pattern[i];
      if (c === '*' && pattern[i + 1] === '*') {
        i++;
        if (pattern[i + 1] === '/') {
          i++;
          source += '(?:.*/)?';
        } else source += '.*';
      } else if (c === '*') source += '[^/]*';
      else if (c === '?') source += '[^/]';
      else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
    rules.push({ negate, regex: new RegExp(`^${source}$`), pattern: line });
  }
  return rules;
}

function ignored(rules: IgnoreRule[], path: string): boolean {
  const parts = path.split('/');
  let result = false;
  for (const rule of rules) {
    let matched = false;
    for (let n = parts.length; n >= 1 && !matched; n--) matched = rule.regex.test(parts.slice(0, n).join('/'));
    if (matched) result = !rule.negate;
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Stage replay
// ---------------------------------------------------------------------------------------------

/** Copies `from` to `to`, skipping what `skip` says (paths relative to the context). */
function copyTree(from: string, to: string, skip: (contextPath: string) => boolean, contextPath: string): void {
  if (skip(contextPath)) return;
  const stat = lstatSync(from);
  if (stat.isSymbolicLink()) {
    // Inside a copied directory Docker keeps a link as a link (node_modules/.bin/*).
    mkdirSync(dirname(to), { recursive: true });
    symlinkSync(readlinkSync(from), to);
  } else if (stat.isDirectory()) {
    mkdirSync(to, { recursive: true });
    for (const entry of readdirSync(from)) copyTree(join(from, entry), join(to, entry), skip, contextPath === '' ? entry : `${contextPath}/${entry}`);
  } else {
    mkdirSync(dirname(to), { recursive: true });
    cpSync(from, to, { dereference: true });
  }
}

interface StageFs {
  root: string;
  workdir: string;
}

function applyCopy(copy: Copy, target: StageFs, stages: Map<string, StageFs>, context: string, rules: IgnoreRule[]): void {
  const destIsDir = copy.dest.endsWith('/') || copy.sources.length > 1;
  const dest = copy.dest.startsWith('/') ? join(target.root, copy.dest) : join(target.root, target.workdir, copy.dest);
  for (const source of copy.sources) {
    let from: string;
    let contextPath: string;
    let skip: (path: string) => boolean;
    if (copy.from) {
      const stage = stages.get(copy.from);
      if (!stage) throw new Error(`COPY --from=${copy.from}: no such stage replayed`);
      from = source.startsWith('/') ? join(stage.root, source) : join(stage.root, stage.workdir, source);
      contextPath = ''; // a stage's files: no .dockerignore
      skip = () => false;
    } else {
      contextPath = posix.normalize(source).replace(/^\.?\/+/, '').replace(/\/+$/, '');
      from = join(context, contextPath);
      if (contextPath.startsWith('..')) throw new Error(`COPY ${source}: outside the context`);
      if (contextPath !== '' && ignored(rules, contextPath)) throw new Error(`COPY ${source}: excluded by .dockerignore, the build would fail`);
      skip = (path) => path !== '' && ignored(rules, path);
    }
    if (!existsSync(from)) throw new Error(`COPY ${copy.from ? `--from=${copy.from} ` : ''}${source}: not found`);
    if (statSync(from).isDirectory()) {
      // A directory's contents are copied, not the directory itself.
      for (const entry of readdirSync(from)) copyTree(join(from, entry), join(dest, entry), skip, contextPath === '' ? entry : `${contextPath}/${entry}`);
    } else {
      // A named source file is followed if it is a link.
      const to = destIsDir ? join(dest, basename(from)) : dest;
      mkdirSync(dirname(to), { recursive: true });
      cpSync(from, to, { dereference: true });
    }
  }
}

/** `npm ci` (from the registry) and `npm run build` (tsc) of a stage, on a loaded machine. */
const STAGE_COMMAND_TIMEOUT_MS = 240_000;

async function sh(command: string, cwd: string, timeoutMs: number): Promise<string> {
  const result = await runChild('/bin/sh', ['-c', command], { cwd, env: process.env, timeoutMs });
  if (result.code !== 0) throw new Error(describeRun(`'${command}' in ${cwd}`, result));
  return result.stdout + result.stderr;
}

/** Every file under `dir`, relative to it, slash-separated. */
function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(path + '/', ...walk(join(dir, entry.name), path));
    else out.push(path);
  }
  return out;
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
  const fs = new Map<string, StageFs>();
  let runtimeFiles: string[];

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'llm-hub-image-'));
    expect(relative(ROOT, work).startsWith('..')).toBe(true);
    for (const stage of dockerfile.stages) {
      const target: StageFs = { root: join(work, stage.name), workdir: '/' };
      mkdirSync(target.root, { recursive: true });
      fs.set(stage.name, target);
      for (const instruction of stage.instructions) {
        if (instruction.keyword === 'WORKDIR') {
          target.workdir = instruction.args;
          mkdirSync(join(target.root, target.workdir), { recursive: true });
        } else if (instruction.keyword === 'COPY') {
          applyCopy(parseCopy(instruction), target, fs, ROOT, ignoreRules);
        } else if (instruction.keyword === 'RUN' && stage !== runtime) {
          const command = runCommand(instruction);
          const cwd = join(target.root, target.workdir);
          if (stage.name === 'build' && /^npm ci\b/.test(command) && !command.includes('--omit=dev')) {
            // The full (dev) install: the repo's own, made by the same `npm ci` on the same lockfile.
            symlinkSync(join(ROOT, 'node_modules'), join(cwd, 'node_modules'), 'dir');
          } else if (/^npm (ci|run build)\b/.test(command)) {
            await sh(command, cwd, STAGE_COMMAND_TIMEOUT_MS);
          } else {
            throw new Error(`line ${instruction.line}: RUN ${command} is not replayed by this spec`);
          }
        }
        // The runtime stage's RUN (user creation, removing npm) needs root and is checked above.
      }
    }
    const app = fs.get('runtime')!;
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
    const app = fs.get('runtime')!;
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

  it('runs the capacity planner from the same image', async () => {
    const app = fs.get('runtime')!;
    const output = await sh(`"${process.execPath}" dist/apps/capacity/src/main.js --peak-rps 5000 --target-rps 500 --safety 1.5`, join(app.root, app.workdir), 30_000);
    expect(output).toContain('= 5000 / 500 × 1.5 = 15');
    expect(output).toContain('averageValue: 333334m');
  });
});
