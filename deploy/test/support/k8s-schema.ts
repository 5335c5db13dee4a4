import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runChildSync } from '../../../apps/gateway/test/support/children';
import { apiServerChecks } from './api-server-checks';

/**
 * Validates rendered Kubernetes objects with kubeconform (scripts/install-chart-tools.sh builds it
 * into .tools/bin) against the API server's own OpenAPI v3 schemas of a Kubernetes release (1.34,
 * from k8s.io/kubernetes through the Go module proxy) and, for the custom resources the chart can
 * make, against their CRDs (prometheus-operator's ServiceMonitor and PrometheusRule, Gateway API's
 * HTTPRoute, KEDA's ScaledObject): scripts/k8s-schemas.sh fetches them and converts them into
 * kubeconform's layout.
 *
 * `kubeconform -strict`: a field the schema does not know is an error, as is a kind with no schema.
 * On top of that, two checks kubeconform cannot make: the API server's name and label rules
 * (api-server-checks.ts), and numbers written as floats (`1e+06`, what Go templates print for a
 * large number read from a values file) where the API wants an integer: kubeconform reads YAML into
 * float64 numbers and JSON Schema counts 1e+06 as an integer, while the API server's decoder
 * rejects it. CEL rules (`x-kubernetes-validations`) are not evaluated.
 */

export interface K8sObject {
  apiVersion?: unknown;
  kind?: unknown;
  metadata?: { name?: unknown; namespace?: unknown; labels?: unknown; annotations?: unknown; [key: string]: unknown };
  [key: string]: unknown;
}

export interface ValidationResult {
  kind: string;
  name: string;
  errors: string[];
}

/** Set by render.ts: the JSON pointers of numbers written as floats (`3.0`, `1e+06`) in the YAML. */
export const FLOAT_LITERALS = Symbol.for('llm-connector-hub.floatLiterals');

const REPO_ROOT = resolve(__dirname, '../../..');
const SCHEMAS_SCRIPT = join(REPO_ROOT, 'scripts/k8s-schemas.sh');
const TOOLS_SCRIPT = join(REPO_ROOT, 'scripts/install-chart-tools.sh');
const TIMEOUT_MS = 600_000;

interface SchemaPaths {
  stamp: string;
  kubernetesRelease: string;
  openapiV3Dir: string;
  jsonSchemaDir: string;
  crds: string[];
}

let paths: SchemaPaths | undefined;
let kubeconform: string | undefined;

/** The last line a setup script prints (a path), after running it: a no-op when all is in place. */
function runSetup(script: string): string {
  const out = runChildSync(script, [], { timeoutMs: TIMEOUT_MS });
  if (out.code !== 0) throw new Error(`${script} exited with ${out.code}:\n${out.stderr}`);
  return out.stdout.trim().split('\n').pop()!;
}

/** Runs scripts/k8s-schemas.sh (a no-op when the schemas are in place) and reads what it recorded. */
export function schemaPaths(): SchemaPaths {
  paths ??= JSON.parse(readFileSync(runSetup(SCHEMAS_SCRIPT), 'utf8')) as SchemaPaths;
  return paths;
}

/** The Kubernetes release the objects are validated against, e.g. "1.34.2". */
export function kubernetesRelease(): string {
  return schemaPaths().kubernetesRelease;
}

interface KubeconformResource {
  kind?: string;
  name?: string;
  status: 'statusValid' | 'statusInvalid' | 'statusError' | 'statusSkipped' | 'statusEmpty';
  msg: string;
}

/** kubeconform over the objects, one result per object, in their order. */
function runKubeconform(objects: readonly object[]): KubeconformResource[] {
  if (objects.length === 0) return [];
  kubeconform ??= join(runSetup(TOOLS_SCRIPT), 'kubeconform');
  const dir = schemaPaths().jsonSchemaDir;
  const args = [
    '-strict', '-output', 'json', '-verbose',
    // One worker: the results come out in the order of the documents.
    '-n', '1',
    '-kubernetes-version', kubernetesRelease(),
    '-schema-location', `${dir}/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json`,
    '-schema-location', `${dir}/{{ .Group }}/{{ .ResourceKind }}_{{ .ResourceAPIVersion }}.json`,
    '-',
  ];
  const input = objects.map((object) => JSON.stringify(object)).join('\n---\n');
  const out = spawnSync(kubeconform, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (out.error) throw new Error(`kubeconform: ${out.error.message}`);
  let resources: KubeconformResource[];
  try {
    resources = (JSON.parse(out.stdout) as { resources: KubeconformResource[] }).resources;
  } catch {
    throw new Error(`kubeconform exited with ${out.status} and no JSON report:\n${out.stdout}${out.stderr}`);
  }
  if (resources.length !== objects.length) throw new Error(`kubeconform reported ${resources.length} results for ${objects.length} objects:\n${out.stdout}`);
  return resources;
}

/**
 * kubeconform's message of an invalid object is the validator's error tree, flattened
 * ("... - at '/spec': 'allOf' failed   - at '/spec/replicas': got string, want integer"): its
 * leaves, and for a oneOf or anyOf that no branch matched, that line rather than every branch's.
 */
function messages(resource: KubeconformResource): string[] {
  if (resource.status === 'statusValid' || resource.status === 'statusEmpty') return [];
  if (resource.status !== 'statusInvalid') return [resource.msg.startsWith('could not find schema') ? `unknown kind: ${resource.msg}` : resource.msg];
  const entries = [...resource.msg.matchAll(/( *)- at '([^']*)': (.*?)(?= +- at '|$)/g)].map(([, indent, path, message]) => ({ depth: indent.length, path: path || '(root)', message }));
  const out: string[] = [];
  let combinatorDepth = Infinity;
  entries.forEach((entry, i) => {
    if (entry.depth > combinatorDepth) return;
    combinatorDepth = Infinity;
    if (/^'(oneOf|anyOf)' failed/.test(entry.message)) {
      combinatorDepth = entry.depth;
      out.push(`${entry.path}: ${entry.message}`);
      return;
    }
    const leaf = i === entries.length - 1 || entries[i + 1].depth <= entry.depth;
    if (!leaf) return;
    const unknown = /^additional properties (.*) not allowed$/.exec(entry.message);
    if (unknown) out.push(...[...unknown[1].matchAll(/'([^']*)'/g)].map(([, field]) => `${entry.path}: unknown field "${field}"`));
    else out.push(`${entry.path}: ${entry.message}`);
  });
  // kubeconform lists a document's errors in no stable order: sorted by path, a report is the same every run.
  return out.length > 0 ? out.sort() : [resource.msg];
}

/**
 * The objects with each number the YAML wrote as a float (and that JavaScript reads as an integer)
 * moved off the integer: validated again, an integer-type error there is the API server's error.
 */
function floatLiteralErrors(objects: readonly K8sObject[]): string[][] {
  const moved = objects.map((obj) => {
    const pointers = (obj as Record<symbol, unknown>)[FLOAT_LITERALS] as Map<string, string> | undefined;
    if (!pointers || pointers.size === 0) return undefined;
    const copy = structuredClone(obj) as Record<string, unknown>;
    let changed = false;
    for (const pointer of pointers.keys()) {
      const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      let parent: Record<string, unknown> | undefined = copy;
      for (const segment of segments.slice(0, -1)) parent = parent?.[segment] as Record<string, unknown> | undefined;
      const last = segments[segments.length - 1];
      if (parent && typeof parent[last] === 'number' && Number.isInteger(parent[last])) {
        parent[last] = (parent[last]) + 0.5;
        changed = true;
      }
    }
    return changed ? { copy, pointers } : undefined;
  });
  const checked = moved.filter((m) => m !== undefined);
  const results = runKubeconform(checked.map((m) => m.copy));
  return moved.map((m) => {
    if (!m) return [];
    return messages(results[checked.indexOf(m)]).flatMap((line) => {
      const [, pointer] = /^(\/\S*): got number, want integer$/.exec(line) ?? [];
      return pointer !== undefined && m.pointers.has(pointer) ? [`${pointer}: must be an integer, but the YAML has the float literal ${m.pointers.get(pointer)}`] : [];
    });
  });
}

/** Validates each object; the result lists every object, with no errors when it is valid. */
export function validateObjects(objects: readonly unknown[]): ValidationResult[] {
  const mappings = objects.filter((o): o is K8sObject => !!o && typeof o === 'object' && !Array.isArray(o));
  const results = runKubeconform(mappings);
  const floats = floatLiteralErrors(mappings);
  return objects.map((object) => {
    const i = mappings.indexOf(object as K8sObject);
    if (i < 0) return { kind: '?', name: '?', errors: ['not a mapping (every YAML document must be one Kubernetes object)'] };
    const obj = mappings[i];
    const kind = typeof obj.kind === 'string' ? obj.kind : '?';
    const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '?';
    const errors = [...messages(results[i]), ...floats[i]];
    if (typeof obj.kind === 'string' && results[i].status !== 'statusError') errors.push(...apiServerChecks(obj));
    return { kind, name, errors: [...new Set(errors)] };
  });
}

export function validateObject(object: unknown): ValidationResult {
  return validateObjects([object])[0];
}

/** Only the objects with errors, as "Kind/name: error" lines (empty when everything is valid). */
export function schemaErrors(objects: readonly unknown[]): string[] {
  return validateObjects(objects).flatMap((r) => r.errors.map((e) => `${r.kind}/${r.name}: ${e}`));
}
