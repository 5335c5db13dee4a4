/**
 * The libraries as someone embedding them gets them: every package under libs/ is built
 * (`npm run build:libs`), packed (`npm pack --workspaces`) and installed from its tarball into a
 * fresh project outside the repository (third-party dependencies from the registry or npm's cache).
 * README.md's "Embedding the library" snippets are taken from README.md itself, so the docs cannot
 * drift, compiled with tsc (strict, library types checked) against the installed declarations, and
 * run with node against the fake provider and a real redis-server. A package whose `exports`,
 * `main` or types are wrong, or a documented option that no longer exists, fails here.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { describeRun, runChild, type RunResult } from './support/children';
import { startFakeProvider, type RunningProcess } from './support/processes';
import { startRedisServer, type RedisServerHandle } from './support/redis-server';
import { STOP_TIMEOUT_MS } from './support/timeouts';

const ROOT = resolve(__dirname, '../../..');
/** Building, packing and installing eight packages and compiling the snippets, on a loaded 2-core machine. */
const PREPARE_TIMEOUT_MS = 600_000;
/** One step of that (a build, a pack, an install, a compile). */
const STEP_TIMEOUT_MS = 300_000;
/** One snippet's run: a few calls to the fake on loopback. */
const RUN_TIMEOUT_MS = 60_000;
const SECTION = '## Embedding the library';

/** The ```ts blocks of README.md's "Embedding the library" section, in order. */
function embeddingSnippets(): string[] {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${SECTION}\n`);
  if (start < 0) throw new Error(`README.md has no "${SECTION}" section`);
  const end = readme.indexOf('\n## ', start + SECTION.length + 2);
  const section = readme.slice(start, end < 0 ? undefined : end);
  return [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((match) => match[1]);
}

/** The name of every published package under libs/ (each directory with a package.json that is not private: libs/testing is the specs' test support, never packed). */
function packageNames(): string[] {
  return readdirSync(join(ROOT, 'libs'), { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .flatMap((entry) => {
      try {
        const manifest = JSON.parse(readFileSync(join(ROOT, 'libs', entry.name, 'package.json'), 'utf8')) as { name: string; private?: boolean };
        return manifest.private ? [] : [manifest.name];
      } catch {
        return [];
      }
    })
    .sort();
}

/** This node's npm first on PATH, so npm and the tests agree on the Node version. */
const ENV = { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}` };

async function step(what: string, command: string, args: string[], cwd: string): Promise<RunResult> {
  const result = await runChild(command, args, { cwd, env: ENV, timeoutMs: STEP_TIMEOUT_MS });
  if (result.code !== 0 || result.timedOut) throw new Error(describeRun(what, result));
  return result;
}

describe('the libraries, packed and installed as README.md documents', () => {
  const names = packageNames();
  const snippets = embeddingSnippets();
  let dir: string;
  let project: string;
  let fake: RunningProcess | undefined;
  let redis: RedisServerHandle | undefined;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'llm-hub-packages-'));
    const tarballs = join(dir, 'tarballs');
    project = join(dir, 'project');
    // Started meanwhile; each handle is kept as soon as it is there, so afterAll stops whichever started.
    const started = [startFakeProvider().then((child) => void (fake = child)), startRedisServer().then((server) => void (redis = server))];
    for (const start of started) start.catch(() => undefined);

    mkdirSync(tarballs);
    mkdirSync(project);
    await step('npm run build:libs', 'npm', ['run', 'build:libs'], ROOT);
    const packed = await step('npm pack', 'npm', ['pack', '--workspaces', '--pack-destination', tarballs, '--json', '--loglevel=error'], ROOT);
    const files = (JSON.parse(packed.stdout) as Array<{ name: string; filename: string }>).map(({ name, filename }) => ({ name, file: join(tarballs, filename) }));
    expect(files.map(({ name }) => name).sort()).toEqual(names);

    const rootPackage = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    writeFileSync(join(project, 'package.json'), `${JSON.stringify({ name: 'embedding-check', private: true, type: 'module' }, null, 2)}\n`);
    await step('npm install', 'npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...files.map(({ file }) => file), `@types/node@${rootPackage.devDependencies['@types/node']}`], project);

    // The snippets as written, plus one module importing every package: its types must resolve
    // (strict: an untyped import is an error) and its exports must load.
    snippets.forEach((snippet, i) => writeFileSync(join(project, `snippet-${i + 1}.ts`), snippet));
    const imports = names.map((name, i) => `import * as p${i} from '${name}';`).join('\n');
    const counts = names.map((name, i) => `${JSON.stringify(name)}: Object.keys(p${i}).length`).join(', ');
    writeFileSync(join(project, 'packages.ts'), `${imports}\nconsole.log(JSON.stringify({ ${counts} }));\n`);
    const tsconfig = { compilerOptions: { module: 'nodenext', target: 'es2023', strict: true, skipLibCheck: false, types: ['node'], outDir: 'out' }, include: ['*.ts'] };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
    await step('tsc', process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', project], project);

    await Promise.all(started);
  }, PREPARE_TIMEOUT_MS);

  afterAll(async () => {
    await Promise.all([fake?.stop(), redis?.stop()]);
    if (dir) rmSync(dir, { recursive: true, force: true });
  }, STOP_TIMEOUT_MS);

  /** Runs a compiled module of the project with only the variables the snippets read. */
  async function run(file: string): Promise<string> {
    const env = {
      PATH: ENV.PATH,
      ANTHROPIC_API_KEY: 'test-key',
      ANTHROPIC_BASE_URL: fake!.url,
      OPENAI_API_KEY: 'test-key',
      OPENAI_BASE_URL: `${fake!.url}/v1`,
      REDIS_URL: redis!.url,
    };
    const result = await runChild(process.execPath, [join(project, 'out', file)], { cwd: project, env, timeoutMs: RUN_TIMEOUT_MS });
    if (result.code !== 0 || result.timedOut) throw new Error(describeRun(file, result));
    return result.stdout;
  }

  it('installs every package from its tarball, with its types and its exports', async () => {
    // Every file a package.json points at is in the tarball (tsc would fall back to the .d.ts
    // beside the JS, hiding a wrong `types`).
    for (const name of names) {
      const installed = join(project, 'node_modules', name);
      const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { main: string; types: string; exports: unknown };
      const targets = [manifest.main, manifest.types, ...[...JSON.stringify(manifest.exports).matchAll(/"(\.\/[^"]+)"/g)].map((match) => match[1])];
      expect({ name, missing: targets.filter((target) => !existsSync(join(installed, target))) }).toEqual({ name, missing: [] });
    }
    // From CommonJS too (README: `require` works as well as `import`).
    const required = await runChild(process.execPath, ['-e', `console.log(${JSON.stringify(names)}.map((name) => Object.keys(require(name)).length > 0).join())`], {
      cwd: project,
      env: { PATH: ENV.PATH },
      timeoutMs: RUN_TIMEOUT_MS,
    });
    expect(required.stdout.trim()).toBe(names.map(() => 'true').join());
    const counts = JSON.parse(await run('packages.js')) as Record<string, number>;
    const exportsSomething = (name: string) => [name, counts[name] > 0];
    expect(Object.fromEntries(Object.keys(counts).map(exportsSomething))).toEqual(Object.fromEntries(names.map((name) => [name, true])));
  });

  it('README.md has the two embedding snippets this spec runs', () => {
    expect(snippets).toHaveLength(2);
    expect(snippets[1]).toContain("type: 'redis'");
  });

  it('runs the first snippet: resilience and an in-process cache over two providers, a default model and a stream', async () => {
    expect(await run('snippet-1.js')).toBe(
      ['Fake reply to: Say hello', 'claude-sonnet-4-5 Fake reply to: Say hello', 'Fake reply to: Count to three', ''].join('\n'),
    );
  });

  it('runs the Redis snippet: a miss then a hit, and a second process finds the answer in Redis', async () => {
    expect(await run('snippet-2.js')).toBe(['1 MISS Fake reply to: Say hello', '2 HIT Fake reply to: Say hello', ''].join('\n'));
    // A new process starts with an empty memory tier: its first hit can only come from Redis.
    expect(await run('snippet-2.js')).toBe(['1 HIT Fake reply to: Say hello', '2 HIT Fake reply to: Say hello', ''].join('\n'));
  });
});
