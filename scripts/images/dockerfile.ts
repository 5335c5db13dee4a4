/**
 * Reads the Dockerfile and .dockerignore the way a Docker build does, for what replays the
 * Dockerfile without a Docker engine: the production-image spec and the image builder
 * (scripts/images/replay.ts). Only the instructions the project's Dockerfile uses are understood;
 * anything else is an error rather than a silent difference.
 */
import { posix } from 'node:path';

export interface Instruction {
  keyword: string;
  /** Everything after the keyword, continuation lines joined. */
  args: string;
  line: number;
}

export interface Stage {
  image: string;
  name: string;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

export function parseDockerfile(text: string): Dockerfile {
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

/** `${NAME}` and `$NAME` replaced from args; an undefined one is an error (Docker would leave it empty). */
export function substitute(text: string, args: Record<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, a: string | undefined, b: string | undefined) => {
    const name = (a ?? b)!;
    if (!(name in args)) throw new Error(`undefined build arg ${name} in '${text}'`);
    return args[name];
  });
}

export function only(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((i) => i.keyword === keyword);
}

/** `KEY=value KEY2="v 2"` (ENV, LABEL, ARG) into a map. */
export function keyValues(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
    out[match[1]] = match[2].startsWith('"') ? (JSON.parse(match[2]) as string) : match[2];
  }
  return out;
}

export interface Copy {
  from?: string;
  sources: string[];
  dest: string;
}

export function parseCopy(instruction: Instruction): Copy {
  const words = instruction.args.split(/\s+/);
  let from: string | undefined;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
    else if (!/^--(chown|chmod|link)(=|$)/.test(flag)) throw new Error(`line ${instruction.line}: COPY flag ${flag} is not replayed`);
  }
  if (words[0]?.startsWith('[')) throw new Error(`line ${instruction.line}: use the plain COPY form`);
  const dest = words.pop()!;
  return { from, sources: words, dest };
}

/** RUN's command without BuildKit's --mount/--network/--security flags. */
export function runCommand(instruction: Instruction): string {
  return instruction.args.replace(/^(--\S+\s+)+/, '').trim();
}

/** The last stage: what the image is. */
export function finalStage(dockerfile: Dockerfile): Stage {
  return dockerfile.stages[dockerfile.stages.length - 1];
}

/** An image's configuration: what the final stage declares (imageConfig), or what the image builder gives its other images. */
export interface ImageConfig {
  /** Exec form only: an image without a shell cannot run a shell form. */
  cmd: string[];
  env: Record<string, string>;
  user: string;
  workdir: string;
  labels: Record<string, string>;
  expose: string[];
  stopSignal?: string;
}

export function imageConfig(dockerfile: Dockerfile, buildArgs: Record<string, string> = {}): ImageConfig {
  const stage = finalStage(dockerfile);
  const args: Record<string, string> = { ...dockerfile.globalArgs };
  for (const arg of only(stage, 'ARG')) {
    const [key, value = ''] = arg.args.split('=');
    args[key.trim()] = buildArgs[key.trim()] ?? value.trim();
  }
  const cmds = only(stage, 'CMD');
  if (cmds.length === 0 || !cmds.at(-1)!.args.startsWith('[')) throw new Error('the final stage needs an exec-form CMD');
  const labels: Record<string, string> = {};
  for (const label of only(stage, 'LABEL')) for (const [key, value] of Object.entries(keyValues(label.args))) labels[key] = substitute(value, args);
  return {
    cmd: JSON.parse(cmds.at(-1)!.args) as string[],
    env: Object.assign({}, ...only(stage, 'ENV').map((i) => keyValues(i.args))) as Record<string, string>,
    user: only(stage, 'USER').at(-1)?.args ?? '0:0',
    workdir: only(stage, 'WORKDIR').at(-1)?.args ?? '/',
    labels,
    expose: only(stage, 'EXPOSE').flatMap((i) => i.args.split(/\s+/)).map((port) => (port.includes('/') ? port : `${port}/tcp`)),
    stopSignal: only(stage, 'STOPSIGNAL').at(-1)?.args,
  };
}

export interface Account {
  name: string;
  uid: number;
  gid: number;
  home: string;
  shell: string;
}

/**
 * The non-root account the final stage's RUN creates (`groupadd --gid G NAME`, `useradd --uid U
 * --gid G --home-dir H --shell S NAME`), for an image assembled without running that RUN. The
 * rest of that RUN removes what the Node base image brings and an assembled image never has
 * (npm, yarn, corepack). Any other command is an error: the assembled image would silently differ.
 */
export function finalStageAccount(dockerfile: Dockerfile): Account {
  let account: Partial<Account> = {};
  let group: { name: string; gid: number } | undefined;
  for (const run of only(finalStage(dockerfile), 'RUN')) {
    for (const command of runCommand(run).split(/\s*&&\s*/)) {
      const words = command.split(/\s+/);
      const option = (name: string): string | undefined => {
        const at = words.indexOf(name);
        return at < 0 ? undefined : words[at + 1];
      };
      if (words[0] === 'groupadd') group = { name: words.at(-1)!, gid: Number(option('--gid')) };
      else if (words[0] === 'useradd') {
        account = { name: words.at(-1)!, uid: Number(option('--uid')), gid: Number(option('--gid')), home: option('--home-dir') ?? '/', shell: option('--shell') ?? '/bin/sh' };
      } else if (words[0] !== 'rm') throw new Error(`line ${run.line}: '${command}' in the final stage is not understood by the image assembly`);
    }
  }
  if (account.uid === undefined || !group || group.gid !== account.gid || Number.isNaN(account.uid)) {
    throw new Error('the final stage must create its user with groupadd --gid and useradd --uid --gid');
  }
  return account as Account;
}

// ---------------------------------------------------------------------------------------------
// .dockerignore (moby/patternmatcher semantics: last match wins, a match on a parent directory
// excludes everything under it, `**` spans directories, `*` and `?` do not)
// ---------------------------------------------------------------------------------------------

export interface IgnoreRule {
  negate: boolean;
  regex: RegExp;
  pattern: string;
}

export function parseDockerignore(text: string): IgnoreRule[] {
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

export function ignored(rules: IgnoreRule[], path: string): boolean {
  const parts = path.split('/');
  let result = false;
  for (const rule of rules) {
    let matched = false;
    for (let n = parts.length; n >= 1 && !matched; n--) matched = rule.regex.test(parts.slice(0, n).join('/'));
    if (matched) result = !rule.negate;
  }
  return result;
}
