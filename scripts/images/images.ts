/**
 * The project's four images, assembled without Docker or a registry (scripts/cluster/image.sh:
 * umoci + skopeo) into docker-archive tarballs that `scripts/cluster.sh import-image` loads:
 *
 *   gateway        the Dockerfile's runtime stage: its /app replayed from the Dockerfile itself
 *                  (replay.ts), its user, CMD, ENV, WORKDIR, labels, ports and stop signal read from
 *                  it (dockerfile.ts), on the Node base below;
 *   fake-provider  the fake LLM provider (apps/fake-provider), on the same base, listening on 0.0.0.0;
 *   load-runner    the in-cluster load runner (LOAD_RUNNER below: the one place that says what it runs);
 *   redis          Debian's redis-server and redis-cli, with the shell and tools the chart's Redis
 *                  scripts call (deploy/helm/llm-connector-hub/scripts/redis/*.sh).
 *
 * The Node base stands in for the Dockerfile's FROM (node:<NODE_VERSION>-bookworm-slim) and its
 * final RUN (the non-root account): the Node binary the project bootstraps (.tools/node, the same
 * NODE_VERSION as the Dockerfile's ARG), the shared libraries it loads on this Debian machine, CA
 * certificates, /etc/passwd and /etc/group with the account, and a writable /tmp. The three Node
 * images share its layer, so a node stores and unpacks it once.
 *
 * Every image has a key (a hash of all it is made of); an image whose key has not changed is not
 * rebuilt, and its tag carries the key, so a changed image never hides behind an old tag in the
 * node's containerd.
 */
import { execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parse } from 'yaml';
import { finalStage, finalStageAccount, imageConfig, only, parseCopy, parseDockerfile, parseDockerignore, type Dockerfile, type ImageConfig } from './dockerfile';
import { replayDockerfile, treeListing, type StageFs } from './replay';
import { debianPackages, hostCommand, MERGED_USR_LINKS, withLibraries, type HostFile } from './rootfs';

/**
 * The load runner (loadtest/runner, loadtest/README.md). Its image holds /app/package.json, the
 * production node_modules (the Dockerfile's prod-deps stage), `paths` of the repository at the same
 * place under /app (what `make build` compiled: the runner imports @llm-connector-hub/core, hence
 * dist/libs), and runs `cmd`; a Job gives the scenario and settings as args and env. This is the
 * one place that says what the image runs. A package the runner needs must be a production
 * dependency.
 */
export const LOAD_RUNNER: NodeApp = {
  name: 'load-runner',
  paths: ['dist/loadtest', 'dist/libs'],
  cmd: ['node', 'dist/loadtest/runner/main.js'],
  env: { NODE_ENV: 'production' },
  expose: [],
};

/** The fake provider (apps/fake-provider/README.md): on 0.0.0.0:8080 in a pod. */
export const FAKE_PROVIDER: NodeApp = {
  name: 'fake-provider',
  paths: ['dist/apps/fake-provider', 'dist/libs'],
  cmd: ['node', 'dist/apps/fake-provider/src/main.js'],
  env: { FAKE_PROVIDER_HOST: '0.0.0.0', PORT: '8080' },
  expose: ['8080/tcp'],
};

/** The commands the chart's Redis scripts run (start.sh, probe.sh, cluster-create.sh), besides redis-server and redis-cli. */
export const REDIS_SCRIPT_COMMANDS = ['sh', 'awk', 'sed', 'sort', 'mv', 'tr', 'sleep', 'timeout', 'getent'];

export const IMAGE_NAMES = ['gateway', 'fake-provider', 'load-runner', 'redis'] as const;
export type ImageName = (typeof IMAGE_NAMES)[number];

export interface NodeApp {
  name: ImageName;
  /** Files and directories of the repository (dist/ is what `make build` compiled), copied to the same place under /app. */
  paths: string[];
  cmd: string[];
  env: Record<string, string>;
  expose: string[];
}

export interface BuildContext {
  repo: string;
  /** Where the archives, their metadata and the build's work directory go (.tools/images). */
  out: string;
  /** Repository prefix of every image (scripts/cluster/config.sh IMAGE_PREFIX). */
  prefix: string;
  /** scripts/cluster/image.sh */
  imageScript: string;
  log: (line: string) => void;
}

/** What `images.json` says about one image. */
export interface BuiltImage {
  ref: string;
  archive: string;
  bytes: number;
  key: string;
  /** Seconds this build took; 0 when the archive was up to date. */
  seconds: number;
  /** What it holds, for people (docs/kubernetes.md). */
  contents: string[];
}

/** One image.sh run: an archive (or, for a base, an OCI layout) and everything it is made of. */
interface Assembly {
  name: string;
  repository: string;
  version: string;
  from?: Built;
  files: HostFile[];
  texts: Array<{ dest: string; content: string; mode: string }>;
  dirs: string[];
  links: Array<[string, string]>;
  /** Directory trees copied to /, each known by a key of its contents. */
  trees: Array<{ dir: string; key: string }>;
  config: ImageConfig;
  /** A base: kept as an OCI layout for --from, no archive. */
  layoutOnly?: boolean;
  /** What it holds, for people; worked out only when it is built (asking dpkg takes seconds). */
  contents: () => string[];
  /** Also put the contents in the image's org.opencontainers.image.description label. */
  describeInLabel?: boolean;
}

interface Built {
  ref: string;
  key: string;
  /** The archive, or the OCI layout of a base. */
  path: string;
  seconds: number;
  contents: string[];
}

const sha = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** The builder itself: a change to it or to image.sh rebuilds everything. */
function toolKey(ctx: BuildContext): string {
  const own = readdirSync(__dirname).filter((f) => /\.(js|ts)$/.test(f) && !f.includes('.spec.')).sort();
  return sha([readFileSync(ctx.imageScript, 'utf8'), ...own.map((f) => readFileSync(join(__dirname, f), 'utf8'))].join('\0'));
}

function assemblyKey(ctx: BuildContext, a: Assembly): string {
  return sha(
    JSON.stringify({
      tool: toolKey(ctx),
      from: a.from?.key,
      // Files from the machine are known by size and time (hashing a 120 MB binary on every build would cost seconds).
      files: a.files.map((f) => [f.src, f.dest, f.mode, statSync(f.src).size, statSync(f.src).mtimeMs]),
      texts: a.texts,
      dirs: a.dirs,
      links: a.links,
      trees: a.trees.map((t) => t.key),
      config: a.config,
    }),
  );
}

async function assemble(ctx: BuildContext, a: Assembly): Promise<Built> {
  const key = assemblyKey(ctx, a);
  const ref = `${ctx.prefix}/${a.repository}:${a.version}-${key.slice(0, 12)}`;
  const work = join(ctx.out, 'work');
  const path = a.layoutOnly ? join(work, `${a.name}-layout`) : join(ctx.out, `${a.name}.tar`);
  const stampFile = join(work, `${a.name}.json`);
  if (existsSync(path) && existsSync(stampFile)) {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8')) as { key: string; contents: string[] };
    if (stamp.key === key) return { ref, key, path, seconds: 0, contents: stamp.contents };
  }

  const started = Date.now();
  const contents = a.contents();
  const labels = a.describeInLabel ? { ...a.config.labels, 'org.opencontainers.image.description': contents.join('; ') } : a.config.labels;
  const texts = join(work, `${a.name}-texts`);
  rmSync(texts, { recursive: true, force: true });
  const args = ['--ref', ref, a.layoutOnly ? '--layout' : '--out', path];
  if (a.from) args.push('--from', a.from.path);
  for (const link of a.links) args.push('--link', `${link[0]}:${link[1]}`);
  for (const dir of a.dirs) args.push('--dir', dir);
  for (const file of a.files) args.push('--file', `${file.src}:${file.dest}:${file.mode}`);
  a.texts.forEach((text, i) => {
    const file = join(texts, String(i));
    mkdirSync(texts, { recursive: true });
    writeFileSync(file, text.content);
    args.push('--file', `${file}:${text.dest}:${text.mode}`);
  });
  for (const tree of a.trees) args.push('--base', tree.dir);
  for (const arg of a.config.cmd) args.push('--cmd', arg);
  for (const [k, v] of Object.entries(a.config.env)) args.push('--env', `${k}=${v}`);
  for (const [k, v] of Object.entries(labels)) args.push('--label', `${k}=${v}`);
  for (const port of a.config.expose) args.push('--expose', port);
  if (a.config.stopSignal) args.push('--stopsignal', a.config.stopSignal);
  args.push('--user', a.config.user, '--workdir', a.config.workdir);
  await exec(ctx.imageScript, args, ctx.repo);
  rmSync(texts, { recursive: true, force: true });
  writeFileSync(stampFile, JSON.stringify({ key, contents }));
  const seconds = (Date.now() - started) / 1000;
  ctx.log(`${a.name}: built in ${seconds.toFixed(1)} s`);
  return { ref, key, path, seconds, contents };
}

/** Runs a command to its end; rejects with its output when it fails. */
function exec(file: string, args: string[], cwd: string): Promise<void> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(file, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
    child.once('error', reject);
    child.once('close', (code, signal) => (code === 0 ? resolveRun() : reject(new Error(`${file} ${args.slice(0, 3).join(' ')} ... failed (${code ?? signal}):\n${output}`))));
  });
}

// ---------------------------------------------------------------------------------------------

const NSSWITCH = 'passwd: files\ngroup: files\nhosts: files dns\n';
const PATH_ENV = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
const CA_BUNDLE = '/etc/ssl/certs/ca-certificates.crt';

function accounts(name: string, uid: number, gid: number, home: string, shell: string): Array<{ dest: string; content: string; mode: string }> {
  return [
    { dest: '/etc/passwd', content: `root:x:0:0:root:/root:/usr/sbin/nologin\n${name}:x:${uid}:${gid}::${home}:${shell}\n`, mode: '0644' },
    { dest: '/etc/group', content: `root:x:0:\n${name}:x:${gid}:\n`, mode: '0644' },
    { dest: '/etc/nsswitch.conf', content: NSSWITCH, mode: '0644' },
  ];
}

function nodeBase(ctx: BuildContext, dockerfile: Dockerfile): Promise<Built> {
  const version = dockerfile.globalArgs.NODE_VERSION;
  if (process.versions.node !== version) {
    throw new Error(`the images hold the Node that builds them: run with Node ${version} (the Dockerfile's NODE_VERSION; scripts/ensure-node.sh), not ${process.versions.node}`);
  }
  const account = finalStageAccount(dockerfile);
  const withLibs = withLibraries([{ src: process.execPath, dest: '/usr/local/bin/node', mode: '0755' }]);
  const libraries = withLibs.filter((f) => f.dest !== '/usr/local/bin/node');
  const files = [...withLibs, { src: CA_BUNDLE, dest: CA_BUNDLE, mode: '0644' }];
  return assemble(ctx, {
    name: 'node-base',
    repository: 'node-base',
    version,
    files,
    texts: accounts(account.name, account.uid, account.gid, account.home, account.shell),
    dirs: ['/tmp:1777'],
    links: MERGED_USR_LINKS,
    trees: [],
    config: { cmd: ['node'], env: { PATH: PATH_ENV }, user: `${account.uid}:${account.gid}`, workdir: '/', labels: {}, expose: [] },
    layoutOnly: true,
    contents: () => [
      `node ${version} at /usr/local/bin/node (the binary scripts/ensure-node.sh installs, unmodified)`,
      `its shared libraries from Debian: ${debianPackages(libraries.map((f) => f.src)).join(' ')}`,
      // update-ca-certificates writes the bundle: no package owns the file itself.
      `${CA_BUNDLE} from ${execFileSync('dpkg-query', ['-W', '-f', '${Package}=${Version}', 'ca-certificates'], { encoding: 'utf8' })}`,
      `user ${account.name} ${account.uid}:${account.gid} in /etc/passwd and /etc/group; /tmp 1777; merged /usr links`,
    ],
  });
}

/** Copies the given paths of the repository (and node_modules from a stage) into <dir>/app. */
function stageApp(ctx: BuildContext, name: string, key: string, prodDeps: string, paths: string[]): string {
  const dir = join(ctx.out, 'work', `${name}-app-${key.slice(0, 16)}`);
  if (existsSync(dir)) return dir;
  for (const entry of readdirSync(join(ctx.out, 'work'))) if (entry.startsWith(`${name}-app-`)) rmSync(join(ctx.out, 'work', entry), { recursive: true, force: true });
  const partial = `${dir}.partial`;
  rmSync(partial, { recursive: true, force: true });
  cpSync(prodDeps, join(partial, 'app/node_modules'), { recursive: true, verbatimSymlinks: true });
  for (const path of paths) {
    mkdirSync(dirname(join(partial, 'app', path)), { recursive: true });
    cpSync(join(ctx.repo, path), join(partial, 'app', path), { recursive: true, verbatimSymlinks: true });
  }
  renameSync(partial, dir);
  return dir;
}

function nodeApp(ctx: BuildContext, app: NodeApp, base: Built, prodDeps: StageFs, prodDepsPath: string, account: { uid: number; gid: number }, version: string): Promise<Built> {
  for (const path of app.paths) {
    if (!existsSync(join(ctx.repo, path))) throw new Error(`${app.name}: ${path} is missing; run make build`);
  }
  const paths = ['package.json', ...app.paths];
  const key = sha([prodDeps.key, ...paths.flatMap((p) => (statSync(join(ctx.repo, p)).isDirectory() ? treeListing(join(ctx.repo, p)).map((l) => `${p} ${l}`) : [sha(readFileSync(join(ctx.repo, p)))]))].join('\n'));
  const tree = stageApp(ctx, app.name, key, prodDepsPath, paths);
  return assemble(ctx, {
    name: app.name,
    repository: app.name,
    version,
    from: base,
    files: [],
    texts: [],
    dirs: [],
    links: [],
    trees: [{ dir: tree, key }],
    config: { cmd: app.cmd, env: app.env, user: `${account.uid}:${account.gid}`, workdir: '/app', labels: {}, expose: app.expose, stopSignal: 'SIGTERM' },
    contents: () => [`/app: package.json, production node_modules (the Dockerfile's ${prodDeps.name} stage), ${app.paths.join(', ')}; CMD ${app.cmd.join(' ')}`, ...base.contents],
  });
}

function redis(ctx: BuildContext): Promise<Built> {
  const version = /v=(\d+\.\d+\.\d+)/.exec(execFileSync('redis-server', ['--version'], { encoding: 'utf8' }))?.[1];
  if (!version || Number(version.split('.')[0]) < 7) throw new Error(`redis-server ${version}: the chart's Redis needs >= 7.0 (cluster-announce-hostname); scripts/install-redis.sh`);
  const values = parse(readFileSync(join(ctx.repo, 'deploy/helm/llm-connector-hub/values.yaml'), 'utf8')) as {
    redis: { bundled: { podSecurityContext: { runAsUser: number; runAsGroup: number } } };
  };
  const { runAsUser: uid, runAsGroup: gid } = values.redis.bundled.podSecurityContext;
  const binaries: HostFile[] = ['redis-server', 'redis-cli', ...REDIS_SCRIPT_COMMANDS].map((name) => ({ src: hostCommand(name), dest: `/usr/bin/${name}`, mode: '0755' }));
  const files = withLibraries(binaries);
  return assemble(ctx, {
    name: 'redis',
    repository: 'redis',
    version,
    files,
    texts: accounts('redis', uid, gid, '/data', '/usr/sbin/nologin'),
    dirs: ['/tmp:1777', `/data:0755:${uid}:${gid}`],
    links: MERGED_USR_LINKS,
    trees: [],
    config: {
      // As the official image runs it without a config file: every interface, no protected mode (the chart passes its own).
      cmd: ['redis-server', '--protected-mode', 'no'],
      env: { PATH: PATH_ENV },
      user: `${uid}:${gid}`,
      workdir: '/data',
      labels: { 'org.opencontainers.image.version': version },
      expose: ['6379/tcp', '16379/tcp'],
      stopSignal: 'SIGTERM',
    },
    contents: () => [
      `redis-server and redis-cli ${version}; ${REDIS_SCRIPT_COMMANDS.join(', ')} for the chart's scripts (sh is dash)`,
      `from Debian: ${debianPackages(files.map((f) => f.src)).join(' ')}`,
      `user redis ${uid}:${gid} (the chart's podSecurityContext), /data owned by it, /tmp 1777`,
    ],
    describeInLabel: true,
  });
}

/** Builds the named images (all by default) and writes <out>/images.json. */
export async function buildImages(ctx: BuildContext, names: readonly ImageName[] = IMAGE_NAMES): Promise<Record<string, BuiltImage>> {
  mkdirSync(join(ctx.out, 'work'), { recursive: true });
  const dockerfile = parseDockerfile(readFileSync(join(ctx.repo, 'Dockerfile'), 'utf8'));
  const rules = parseDockerignore(readFileSync(join(ctx.repo, '.dockerignore'), 'utf8'));
  const pkg = JSON.parse(readFileSync(join(ctx.repo, 'package.json'), 'utf8')) as { version: string };
  const account = finalStageAccount(dockerfile);
  const results: Record<string, Built> = {};

  const needsNode = names.some((n) => n !== 'redis');
  if (needsNode) {
    const stages = await replayDockerfile(dockerfile, rules, { context: ctx.repo, dir: join(ctx.out, 'work', 'stages'), run: (command, cwd) => exec('/bin/sh', ['-c', command], cwd), log: ctx.log });
    const runtime = stages.get(finalStage(dockerfile).name)!;
    // The stage the runtime takes node_modules from (the production dependencies).
    const depsCopy = only(finalStage(dockerfile), 'COPY').map(parseCopy).find((c) => c.from && c.sources.some((s) => /node_modules\/?$/.test(s)));
    if (!depsCopy) throw new Error('the final stage copies no node_modules from another stage');
    const prodDeps = stages.get(depsCopy.from!)!;
    const prodDepsPath = join(prodDeps.root, depsCopy.sources[0]);
    const base = await nodeBase(ctx, dockerfile);
    if (names.includes('gateway')) {
      const config = imageConfig(dockerfile, { VERSION: pkg.version });
      results.gateway = await assemble(ctx, {
        name: 'gateway',
        repository: 'gateway',
        version: pkg.version,
        from: base,
        files: [],
        texts: [],
        dirs: [],
        links: [],
        trees: [{ dir: runtime.root, key: runtime.key }],
        config,
        contents: () => [`/app: the Dockerfile's ${runtime.name} stage, replayed (package.json, production node_modules, ${describeDist(runtime)}); CMD ${config.cmd.join(' ')}`, ...base.contents],
      });
    }
    if (names.includes('fake-provider')) results['fake-provider'] = await nodeApp(ctx, FAKE_PROVIDER, base, prodDeps, prodDepsPath, account, pkg.version);
    if (names.includes('load-runner')) results['load-runner'] = await nodeApp(ctx, LOAD_RUNNER, base, prodDeps, prodDepsPath, account, pkg.version);
  }
  if (names.includes('redis')) results.redis = await redis(ctx);

  const manifestFile = join(ctx.out, 'images.json');
  const manifest = (existsSync(manifestFile) ? JSON.parse(readFileSync(manifestFile, 'utf8')) : {}) as Record<string, BuiltImage>;
  for (const [name, built] of Object.entries(results)) {
    manifest[name] = { ref: built.ref, archive: built.path, bytes: statSync(built.path).size, key: built.key, seconds: built.seconds, contents: built.contents };
  }
  writeFileSync(manifestFile, `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function describeDist(stage: StageFs): string {
  const dist = join(stage.root, stage.workdir, 'dist');
  return existsSync(dist) ? readdirSync(dist).flatMap((d) => (d === 'apps' ? readdirSync(join(dist, d)).map((a) => `dist/apps/${a}`) : [`dist/${d}`])).join(', ') : 'no dist';
}
