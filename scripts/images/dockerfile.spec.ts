import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { finalStageAccount, imageConfig, parseDockerfile, parseDockerignore } from './dockerfile';
import { replayDockerfile, treeListing } from './replay';

const ROOT = resolve(__dirname, '../..');
const dockerfile = parseDockerfile(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));

describe("the image assembly's reading of the Dockerfile", () => {
  it("takes the runtime stage's config, with its build args at their defaults or as given", () => {
    const config = imageConfig(dockerfile, { VERSION: '9.9.9' });
    expect(config).toMatchObject({
      cmd: ['node', 'dist/apps/gateway/src/main.js'],
      env: { NODE_ENV: 'production', HOST: '0.0.0.0', PORT: '3000' },
      user: '10001:10001',
      workdir: '/app',
      expose: ['3000/tcp', '9464/tcp'],
      stopSignal: 'SIGTERM',
    });
    expect(config.labels['org.opencontainers.image.version']).toBe('9.9.9');
    expect(config.labels['org.opencontainers.image.revision']).toBe('unknown');
    expect(config.labels['org.opencontainers.image.base.name']).toBe(`docker.io/library/node:${dockerfile.globalArgs.NODE_VERSION}-bookworm-slim`);
  });

  it('takes the account from groupadd/useradd, and refuses a final-stage RUN it cannot reproduce', () => {
    expect(finalStageAccount(dockerfile)).toEqual({ name: 'llmhub', uid: 10001, gid: 10001, home: '/nonexistent', shell: '/usr/sbin/nologin' });
    const withApt = parseDockerfile('FROM node:24 AS runtime\nRUN groupadd --gid 7 app && useradd --uid 7 --gid 7 app && apt-get install -y curl\nCMD ["node"]\n');
    expect(() => finalStageAccount(withApt)).toThrow(/line 2: 'apt-get install -y curl' in the final stage is not understood/);
    const noUser = parseDockerfile('FROM node:24 AS runtime\nCMD ["node"]\n');
    expect(() => finalStageAccount(noUser)).toThrow(/must create its user/);
    expect(() => imageConfig(parseDockerfile('FROM node:24\nCMD node main.js\n'))).toThrow(/exec-form CMD/);
  });
});

describe('the Dockerfile replay', () => {
  let context: string;
  let dir: string;
  const replay = (text: string, ignore = '') =>
    replayDockerfile(parseDockerfile(text), parseDockerignore(ignore), {
      context,
      dir,
      run: () => Promise.reject(new Error('no RUN in these Dockerfiles')),
    });

  beforeEach(() => {
    context = mkdtempSync(join(tmpdir(), 'llm-hub-replay-context-'));
    dir = mkdtempSync(join(tmpdir(), 'llm-hub-replay-'));
    mkdirSync(join(context, 'src/test'), { recursive: true });
    writeFileSync(join(context, 'package.json'), '{}');
    writeFileSync(join(context, 'src/a.js'), 'a');
    writeFileSync(join(context, 'src/test/a.spec.js'), 'spec');
  });

  afterEach(() => {
    rmSync(context, { recursive: true, force: true });
    rmSync(dir, { recursive: true, force: true });
  });

  const TWO_STAGES = 'FROM node:24 AS one\nWORKDIR /w\nCOPY src/ ./src/\nFROM node:24 AS two\nWORKDIR /app\nCOPY package.json ./\nCOPY --from=one /w/src/ ./lib/\n';

  it('copies what the COPYs name, as .dockerignore leaves it, from the context and from earlier stages', async () => {
    const stages = await replay(TWO_STAGES, '**/test\n');
    const two = stages.get('two')!;
    expect(two.workdir).toBe('/app');
    expect(treeListing(join(two.root, 'app')).map((line) => line.replace(/ [0-9a-f]{64} /, ' '))).toEqual(['d 0755 lib/', 'f 0644 lib/a.js', 'f 0644 package.json']);
  });

  it('reuses a stage whose inputs are unchanged, and replays the stages a changed file reaches', async () => {
    const first = await replay(TWO_STAGES);
    expect([...first.values()].map((s) => s.replayed)).toEqual([true, true]);
    const again = await replay(TWO_STAGES);
    expect([...again.values()].map((s) => [s.replayed, s.key])).toEqual([...first.values()].map((s) => [false, s.key]));

    writeFileSync(join(context, 'src/a.js'), 'changed');
    const changed = await replay(TWO_STAGES);
    expect([...changed.values()].map((s) => s.replayed)).toEqual([true, true]);
    expect(readFileSync(join(changed.get('two')!.root, 'app/lib/a.js'), 'utf8')).toBe('changed');
    // The stale directories are gone.
    expect(changed.get('one')!.key).not.toBe(first.get('one')!.key);
    expect(() => readFileSync(join(first.get('two')!.root, 'app/lib/a.js'))).toThrow(/ENOENT/);
  });

  it('fails on a COPY of something .dockerignore excludes, as a Docker build would', async () => {
    await expect(replay('FROM node:24\nCOPY src/test/ ./t/\n', 'src/test\n')).rejects.toThrow(/excluded by \.dockerignore/);
  });
});
