import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { isMap, isScalar, isSeq, parseAllDocuments, stringify, type Node } from 'yaml';
import { runChild, runChildSync } from '../../../apps/gateway/test/support/children';
import { FLOAT_LITERALS, kubernetesRelease, type K8sObject } from './k8s-schema';

/**
 * Renders the Helm chart and the kustomize overlays with the pinned helm and kustomize
 * (scripts/install-helm.sh puts them in .tools/bin) and parses the output the way the Kubernetes
 * clients do (YAML 1.1: `yes`, `on` are booleans; duplicate keys are errors).
 */

export const REPO_ROOT = resolve(__dirname, '../../..');
export const CHART_DIR = join(REPO_ROOT, 'deploy/helm/llm-connector-hub');
export const CI_DIR = join(CHART_DIR, 'ci');
export const K8S_DIR = join(REPO_ROOT, 'deploy/k8s');
export const RELEASE = 'hub';
export const NAMESPACE = 'llm';
const TOOLS_BIN = join(REPO_ROOT, '.tools/bin');

/** The Helm source file of an object ("llm-connector-hub/templates/deployment.yaml"), from helm's "# Source:" line. */
export const SOURCE = Symbol.for('llm-connector-hub.source');

export type Values = Record<string, unknown>;

export interface HelmArgs {
  /** Values, passed as a values file (so numbers keep their YAML types, as in a user's values file). */
  values?: Values;
  /** Values files, relative to the chart directory or absolute. */
  valuesFiles?: string[];
  /** `--set` (numbers, booleans) and `--set-string` (strings). */
  set?: Record<string, string | number | boolean>;
  /** Release name; default `hub`. */
  releaseName?: string;
  /** `--api-versions`: API groups the cluster serves beyond the built-in ones (Capabilities.APIVersions). */
  apiVersions?: string[];
  /** Extra helm arguments (e.g. ['--show-only', 'templates/hpa.yaml']). */
  extraArgs?: string[];
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

let installed = false;
/** scripts/install-helm.sh builds helm and kustomize with `go install` when `make test` did not. */
const INSTALL_TIMEOUT_MS = 600_000;
/** One helm or kustomize run; they take well under a second on an idle machine. */
const RUN_TIMEOUT_MS = 60_000;

/** Path of a tool built by scripts/install-helm.sh, building it when it is missing. */
export function tool(name: 'helm' | 'kustomize'): string {
  const path = join(TOOLS_BIN, name);
  if (!installed && !existsSync(path)) {
    const script = join(REPO_ROOT, 'scripts/install-helm.sh');
    const out = runChildSync(script, [], { timeoutMs: INSTALL_TIMEOUT_MS });
    if (out.code !== 0) throw new Error(`${script} exited with ${out.code}:\n${out.stderr}`);
  }
  installed = true;
  return path;
}

/** The chart's ci/*-values.yaml files (what chart-testing installs with), sorted. */
export function ciValuesFiles(): string[] {
  if (!existsSync(CI_DIR)) return [];
  return readdirSync(CI_DIR)
    .filter((f) => f.endsWith('-values.yaml'))
    .sort()
    .map((f) => join(CI_DIR, f));
}

function helmValueArgs(args: HelmArgs, tmp: () => string): string[] {
  const out: string[] = [];
  for (const file of args.valuesFiles ?? []) out.push('-f', resolve(CHART_DIR, file));
  if (args.values) {
    const file = join(tmp(), `values-${out.length}.yaml`);
    writeFileSync(file, stringify(args.values));
    out.push('-f', file);
  }
  for (const [key, value] of Object.entries(args.set ?? {})) {
    out.push(typeof value === 'string' ? '--set-string' : '--set', `${key}=${String(value)}`);
  }
  for (const apiVersion of args.apiVersions ?? []) out.push('--api-versions', apiVersion);
  // Render for the Kubernetes release the objects are validated against (helm's default is 1.20).
  out.push('--kube-version', `v${kubernetesRelease()}`);
  return out.concat(args.extraArgs ?? []);
}

function withTmp<T>(fn: (tmp: () => string) => T): { result: T; cleanup: () => void } {
  let dir: string | undefined;
  const tmp = () => (dir ??= mkdtempSync(join(tmpdir(), 'llm-hub-helm-')));
  const result = fn(tmp);
  return { result, cleanup: () => dir && rmSync(dir, { recursive: true, force: true }) };
}

function templateArgv(args: HelmArgs, tmp: () => string): string[] {
  return ['template', args.releaseName ?? RELEASE, CHART_DIR, '--namespace', NAMESPACE, ...helmValueArgs(args, tmp)];
}

/** `helm template hub <chart> --namespace llm ...`, whatever its exit code. */
export function helmTemplateRun(args: HelmArgs = {}): RunResult {
  const { result: argv, cleanup } = withTmp((tmp) => templateArgv(args, tmp));
  try {
    return run(tool('helm'), argv);
  } finally {
    cleanup();
  }
}

export async function helmTemplateRunAsync(args: HelmArgs = {}): Promise<RunResult> {
  const { result: argv, cleanup } = withTmp((tmp) => templateArgv(args, tmp));
  try {
    return await runAsync(tool('helm'), argv);
  } finally {
    cleanup();
  }
}

/** `helm template` parsed into objects; throws with helm's message when it fails. */
export function helmTemplate(args: HelmArgs = {}): K8sObject[] {
  const out = helmTemplateRun(args);
  if (out.code !== 0) throw new Error(`helm template ${describe(args)} failed (${out.code}):\n${out.stderr}`);
  return parseManifests(out.stdout, `helm template ${describe(args)}`);
}

/** The same, without blocking: several renders run in parallel in a beforeAll. */
export async function helmTemplateAsync(args: HelmArgs = {}): Promise<K8sObject[]> {
  const out = await helmTemplateRunAsync(args);
  if (out.code !== 0) throw new Error(`helm template ${describe(args)} failed (${out.code}):\n${out.stderr}`);
  return parseManifests(out.stdout, `helm template ${describe(args)}`);
}

/** `helm lint --strict <chart>` with these values. */
export function helmLint(args: HelmArgs = {}): RunResult {
  const { result: argv, cleanup } = withTmp((tmp) => ['lint', '--strict', CHART_DIR, '--namespace', NAMESPACE, ...helmValueArgs(args, tmp)]);
  try {
    return run(tool('helm'), argv);
  } finally {
    cleanup();
  }
}

export async function helmLintAsync(args: HelmArgs = {}): Promise<RunResult> {
  const { result: argv, cleanup } = withTmp((tmp) => ['lint', '--strict', CHART_DIR, '--namespace', NAMESPACE, ...helmValueArgs(args, tmp)]);
  try {
    return await runAsync(tool('helm'), argv);
  } finally {
    cleanup();
  }
}

/** `kustomize build <dir>` parsed into objects. */
export function kustomizeBuild(dir: string): K8sObject[] {
  const abs = resolve(REPO_ROOT, dir);
  const out = run(tool('kustomize'), ['build', abs]);
  if (out.code !== 0) throw new Error(`kustomize build ${dir} failed (${out.code}):\n${out.stderr}`);
  return parseManifests(out.stdout, `kustomize build ${dir}`);
}

export async function kustomizeBuildAsync(dir: string): Promise<K8sObject[]> {
  const out = await runAsync(tool('kustomize'), ['build', resolve(REPO_ROOT, dir)]);
  if (out.code !== 0) throw new Error(`kustomize build ${dir} failed (${out.code}):\n${out.stderr}`);
  return parseManifests(out.stdout, `kustomize build ${dir}`);
}

function describe(args: HelmArgs): string {
  const parts: string[] = [];
  for (const f of args.valuesFiles ?? []) parts.push(`-f ${f.replace(`${CHART_DIR}/`, '')}`);
  if (args.values) parts.push(`values ${JSON.stringify(args.values)}`);
  for (const [k, v] of Object.entries(args.set ?? {})) parts.push(`--set ${k}=${String(v)}`);
  return parts.join(' ') || '(defaults)';
}

function run(command: string, argv: string[]): RunResult {
  const out = runChildSync(command, argv, { env: toolEnv(), timeoutMs: RUN_TIMEOUT_MS });
  return { code: out.code ?? 1, stdout: out.stdout, stderr: out.stderr };
}

/** At most this many helm/kustomize processes at once from one spec file (jest runs files in parallel too). */
const MAX_PARALLEL = Math.max(2, Math.min(8, Math.floor(availableParallelism() / 2)));
let running = 0;
const waiting: Array<() => void> = [];

async function runAsync(command: string, argv: string[]): Promise<RunResult> {
  if (running >= MAX_PARALLEL) await new Promise<void>((resolveSlot) => waiting.push(resolveSlot));
  running++;
  try {
    return await spawnAsync(command, argv);
  } finally {
    running--;
    waiting.shift()?.();
  }
}

async function spawnAsync(command: string, argv: string[]): Promise<RunResult> {
  const out = await runChild(command, argv, { env: toolEnv(), timeoutMs: RUN_TIMEOUT_MS });
  if (out.timedOut) throw new Error(`${command} ${argv.join(' ')} timed out after ${RUN_TIMEOUT_MS} ms`);
  return { code: out.code ?? 1, stdout: out.stdout, stderr: out.stderr };
}

/** Helm with no repositories, plugins or cache of the user's: the tests are offline and repeatable. */
function toolEnv(): NodeJS.ProcessEnv {
  const home = join(tmpdir(), 'llm-hub-helm-home');
  return {
    ...process.env,
    HELM_CONFIG_HOME: join(home, 'config'),
    HELM_CACHE_HOME: join(home, 'cache'),
    HELM_DATA_HOME: join(home, 'data'),
    HELM_PLUGINS: join(home, 'plugins'),
  };
}

/**
 * Multi-document YAML into objects, skipping empty documents. Numbers written as floats are
 * recorded on each object (FLOAT_LITERALS) for the schema validator, and Helm's "# Source:" comment
 * (SOURCE) for messages.
 */
export function parseManifests(text: string, what = 'manifest'): K8sObject[] {
  const objects: K8sObject[] = [];
  for (const doc of parseAllDocuments(text, { version: '1.1', uniqueKeys: true, prettyErrors: true })) {
    if (doc.errors.length > 0) throw new Error(`${what}: invalid YAML:\n${doc.errors.map((e) => e.message).join('\n')}`);
    const value = doc.toJS({ maxAliasCount: 100 }) as unknown;
    if (value === null || value === undefined) continue;
    if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${what}: a document is not a mapping: ${JSON.stringify(value).slice(0, 200)}`);
    const object = value as K8sObject;
    const floats = new Map<string, string>();
    collectFloatLiterals(doc.contents, '', text, floats);
    Object.defineProperty(object, FLOAT_LITERALS, { value: floats, enumerable: false });
    const comment = [doc.commentBefore, doc.contents?.commentBefore].filter(Boolean).join('\n');
    const source = /^ ?Source: (.+)$/m.exec(comment)?.[1]?.trim();
    Object.defineProperty(object, SOURCE, { value: source, enumerable: false });
    objects.push(object);
  }
  return objects;
}

function collectFloatLiterals(node: Node | null | undefined, pointer: string, text: string, into: Map<string, string>): void {
  if (!node) return;
  if (isMap(node)) {
    for (const pair of node.items) {
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      collectFloatLiterals(pair.value as Node, `${pointer}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`, text, into);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, i) => collectFloatLiterals(item as Node, `${pointer}/${i}`, text, into));
  } else if (isScalar(node) && typeof node.value === 'number' && node.type === 'PLAIN' && node.range) {
    const literal = text.slice(node.range[0], node.range[1]);
    if (!/^[-+]?\d+$/.test(literal)) into.set(pointer, literal);
  }
}

// ----------------------------------------------------------------------------------- lookups

export function kindOf(objects: readonly K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** The one object of this kind (and name, when given); throws with what there is otherwise. */
export function one(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (found.length !== 1) {
    throw new Error(`expected one ${kind}${name ? ` named ${name}` : ''}, found ${found.length}; objects: ${list(objects).join(', ')}`);
  }
  return found[0];
}

export function maybeOne(objects: readonly K8sObject[], kind: string, name?: string): K8sObject | undefined {
  const found = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  return found.length === 1 ? found[0] : undefined;
}

/** "Kind/name" of each object, for messages and snapshots of what a values set renders. */
export function list(objects: readonly K8sObject[]): string[] {
  return objects.map((o) => `${String(o.kind)}/${String(o.metadata?.name)}`);
}

/** A nested field by path (`get(obj, 'spec.template.spec.containers.0.image')`). */
export function get<T = unknown>(object: unknown, path: string): T {
  let at: unknown = object;
  for (const segment of path.split('.')) {
    if (at === null || at === undefined) return undefined as T;
    at = (at as Record<string, unknown>)[segment];
  }
  return at as T;
}
