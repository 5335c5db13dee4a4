/**
 * Replays the Dockerfile's stages in a directory, without a Docker engine: one directory per
 * stage, holding that stage's filesystem as far as the Dockerfile writes it.
 *
 *   COPY       applied for real: from the context as .dockerignore leaves it, or from an earlier stage;
 *   WORKDIR    made;
 *   RUN        `npm ci` / `npm run build` run for real in the stage's workdir, except the full (dev)
 *              install of a stage that also builds, which the repository's own node_modules stands in
 *              for (`make install` made it with the same `npm ci` on the same lockfile);
 *              the final stage's RUN is left out: it needs root and apt, and describes what the
 *              image's base brings (dockerfile.ts, finalStageAccount, reads it for the assembly).
 *
 * Each stage has a key: a hash of its instructions and of everything they read (the context files
 * they copy, the keys of the stages they copy from, the Node version, the installed dev tree).
 * A stage lives in <dir>/<name>-<key>/ (renamed there once complete) and is reused when that
 * directory exists, as Docker reuses a cached layer; so an image rebuild after a source change recompiles, but does not
 * reinstall the production dependencies. The production-image spec replays into an empty
 * directory, so it always runs every stage.
 */
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, readlinkSync, renameSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { basename, dirname, join, posix } from 'node:path';
import { ignored, parseCopy, runCommand, type Copy, type Dockerfile, type IgnoreRule, type Stage } from './dockerfile';

export interface StageFs {
  name: string;
  /** The stage's root filesystem (what the Dockerfile wrote into it). */
  root: string;
  /** Its WORKDIR, absolute inside the stage. */
  workdir: string;
  key: string;
  /** False when an earlier replay's directory was reused. */
  replayed: boolean;
}

export interface ReplayOptions {
  /** The build context: the repository. */
  context: string;
  /** Where the stage directories go. */
  dir: string;
  /** Runs a stage's command with /bin/sh in cwd; rejects (with its output) when it fails. */
  run: (command: string, cwd: string) => Promise<void>;
  /** Progress lines. */
  log?: (line: string) => void;
}

/** Replays every stage in order; returns them by name. */
export async function replayDockerfile(dockerfile: Dockerfile, rules: IgnoreRule[], options: ReplayOptions): Promise<Map<string, StageFs>> {
  const stages = new Map<string, StageFs>();
  const last = dockerfile.stages[dockerfile.stages.length - 1];
  mkdirSync(options.dir, { recursive: true });
  for (const stage of dockerfile.stages) {
    const key = stageKey(stage, stages, rules, options.context);
    const root = join(options.dir, `${stage.name}-${key}`);
    const workdir = stage.instructions.filter((i) => i.keyword === 'WORKDIR').reduce((dir, i) => posix.resolve(dir, i.args), '/');
    const fs: StageFs = { name: stage.name, root, workdir, key, replayed: false };
    if (!existsSync(root)) {
      const started = Date.now();
      const partial = `${root}.partial`;
      rmSync(partial, { recursive: true, force: true });
      await replayStage(stage, stage === last, { ...fs, root: partial }, stages, rules, options);
      renameSync(partial, root);
      fs.replayed = true;
      options.log?.(`stage ${stage.name}: replayed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }
    // Earlier replays of this stage are stale now.
    for (const entry of readdirSync(options.dir)) {
      if (entry.startsWith(`${stage.name}-`) && entry !== basename(root) && /^[0-9a-f]{16}(\.partial)?$/.test(entry.slice(stage.name.length + 1))) {
        rmSync(join(options.dir, entry), { recursive: true, force: true });
      }
    }
    stages.set(stage.name, fs);
  }
  return stages;
}

async function replayStage(stage: Stage, final: boolean, target: StageFs, stages: Map<string, StageFs>, rules: IgnoreRule[], options: ReplayOptions): Promise<void> {
  mkdirSync(target.root, { recursive: true });
  let workdir = '/';
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR') {
      workdir = posix.resolve(workdir, instruction.args);
      mkdirSync(join(target.root, workdir), { recursive: true });
    } else if (instruction.keyword === 'COPY') {
      applyCopy(parseCopy(instruction), { ...target, workdir }, stages, options.context, rules);
    } else if (instruction.keyword === 'RUN' && !final) {
      const command = runCommand(instruction);
      const cwd = join(target.root, workdir);
      if (isDevInstall(command)) {
        symlinkSync(join(options.context, 'node_modules'), join(cwd, 'node_modules'), 'dir');
      } else if (/^npm (ci|run build)\b/.test(command)) {
        await options.run(command, cwd);
      } else {
        throw new Error(`line ${instruction.line}: RUN ${command} is not replayed`);
      }
    }
  }
}

function isDevInstall(command: string): boolean {
  return /^npm ci\b/.test(command) && !command.includes('--omit=dev');
}

/** What a stage's result depends on. */
function stageKey(stage: Stage, done: Map<string, StageFs>, rules: IgnoreRule[], context: string): string {
  const hash = createHash('sha256').update(`replay 1\0node ${process.versions.node}\0FROM ${stage.image}\0`);
  for (const instruction of stage.instructions) {
    hash.update(`${instruction.keyword} ${instruction.args}\0`);
    if (instruction.keyword === 'COPY') {
      const copy = parseCopy(instruction);
      for (const source of copy.sources) {
        if (copy.from) {
          const from = done.get(copy.from);
          if (!from) throw new Error(`COPY --from=${copy.from}: no such stage before ${stage.name}`);
          hash.update(`stage ${from.key}\0`);
        } else {
          const contextPath = contextPathOf(source);
          for (const file of listContext(context, contextPath, rules)) hash.update(file);
        }
      }
    } else if (instruction.keyword === 'RUN' && isDevInstall(runCommand(instruction))) {
      // The stand-in for the dev install: the tree `npm ci` installed, as npm records it.
      const installed = join(context, 'node_modules/.package-lock.json');
      hash.update(existsSync(installed) ? readFileSync(installed) : 'no node_modules');
    }
  }
  return hash.digest('hex').slice(0, 16);
}

function contextPathOf(source: string): string {
  const path = posix.normalize(source).replace(/^\.?\/+/, '').replace(/\/+$/, '');
  if (path.startsWith('..')) throw new Error(`COPY ${source}: outside the context`);
  return path === '.' ? '' : path;
}

/** `path mode sha256` of every file COPY would take from the context under contextPath. */
function listContext(context: string, contextPath: string, rules: IgnoreRule[]): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    if (path !== '' && ignored(rules, path)) return;
    const full = join(context, path);
    const stat = lstatSync(full);
    if (stat.isSymbolicLink()) out.push(`${path} link ${readlinkSync(full)}\0`);
    else if (stat.isDirectory()) for (const entry of readdirSync(full).sort()) visit(path === '' ? entry : `${path}/${entry}`);
    else out.push(`${path} ${(stat.mode & 0o7777).toString(8)} ${createHash('sha256').update(readFileSync(full)).digest('hex')}\0`);
  };
  if (!existsSync(join(context, contextPath))) throw new Error(`COPY ${contextPath}: not found in the context`);
  visit(contextPath);
  return out;
}

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

function applyCopy(copy: Copy, target: StageFs, stages: Map<string, StageFs>, context: string, rules: IgnoreRule[]): void {
  const destIsDir = copy.dest.endsWith('/') || copy.sources.length > 1;
  const dest = join(target.root, posix.resolve(target.workdir, copy.dest));
  for (const source of copy.sources) {
    let from: string;
    let contextPath: string;
    let skip: (path: string) => boolean;
    if (copy.from) {
      const stage = stages.get(copy.from);
      if (!stage) throw new Error(`COPY --from=${copy.from}: no such stage replayed`);
      from = join(stage.root, posix.resolve(stage.workdir, source));
      contextPath = ''; // a stage's files: no .dockerignore
      skip = () => false;
    } else {
      contextPath = contextPathOf(source);
      from = join(context, contextPath);
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

/**
 * One line per entry under dir, sorted: `d MODE path/`, `f MODE SHA256 path` or `l TARGET path`.
 * Two trees with the same listing hold the same files with the same contents and permissions.
 */
export function treeListing(dir: string): string[] {
  const out: string[] = [];
  const visit = (path: string): void => {
    for (const entry of readdirSync(join(dir, path)).sort()) {
      const rel = path === '' ? entry : `${path}/${entry}`;
      const full = join(dir, rel);
      const stat = lstatSync(full);
      const mode = (stat.mode & 0o7777).toString(8).padStart(4, '0');
      if (stat.isSymbolicLink()) out.push(`l ${readlinkSync(full)} ${rel}`);
      else if (stat.isDirectory()) {
        out.push(`d ${mode} ${rel}/`);
        visit(rel);
      } else out.push(`f ${mode} ${createHash('sha256').update(readFileSync(full)).digest('hex')} ${rel}`);
    }
  };
  visit('');
  return out;
}

/** Every file under `dir`, relative to it, slash-separated; directories end with a slash. */
export function walk(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = prefix === '' ? entry.name : `${prefix}/${entry.name}`;
    if (entry.isDirectory()) out.push(path + '/', ...walk(join(dir, entry.name), path));
    else out.push(path);
  }
  return out;
}
