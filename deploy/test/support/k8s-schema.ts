import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Ajv, { type ErrorObject, type ValidateFunction } from 'ajv';
import standaloneCode from 'ajv/dist/standalone';
import { parseAllDocuments } from 'yaml';
import { runChildSync } from '../../../apps/gateway/test/support/children';

/**
 * Validates rendered Kubernetes objects against the API server's own OpenAPI v3 schemas of a
 * Kubernetes release (1.34, from k8s.io/kubernetes through the Go module proxy:
 * scripts/k8s-schemas.sh) and, for the custom resources the chart can make, against their CRDs
 * (prometheus-operator's ServiceMonitor and PrometheusRule, Gateway API's HTTPRoute).
 *
 * Strict like `kubeconform --strict`: a field the schema does not know is an error (every object
 * schema with `properties` and no `additionalProperties` gets `additionalProperties: false`, except
 * where a CRD says `x-kubernetes-preserve-unknown-fields`), as is a kind with no schema. On top of
 * the schemas, the checks the API server makes that OpenAPI cannot express and that a chart gets
 * wrong most often: object, label, port and container names, and numbers written as floats
 * (`1e+06`, what Go templates print for a large number read from a values file) where the API wants
 * an integer. CEL rules (`x-kubernetes-validations`) are not evaluated.
 *
 * Compiled validators are cached on disk (ajv standalone code, .tools/k8s-schemas/compiled/), so
 * that spec files, each in its own module registry, do not compile PodSpec again.
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
const COMPILED_DIR = join(REPO_ROOT, '.tools/k8s-schemas/compiled');
/** Part of the compiled cache's key (with ajv's version and the code that builds schemas: cacheSalt). */
const TRANSFORM_VERSION = 4;

interface SchemaPaths {
  stamp: string;
  kubernetesRelease: string;
  openapiV3Dir: string;
  crds: string[];
}

type Schema = Record<string, unknown>;

let paths: SchemaPaths | undefined;

/** Runs scripts/k8s-schemas.sh (a no-op when the modules are in GOMODCACHE) and reads what it recorded. */
export function schemaPaths(): SchemaPaths {
  if (!paths) {
    // A no-op once the modules are cached; the first run downloads them through the Go module proxy.
    const out = runChildSync(SCHEMAS_SCRIPT, [], { timeoutMs: 600_000 });
    if (out.code !== 0) throw new Error(`${SCHEMAS_SCRIPT} exited with ${out.code}:\n${out.stderr}`);
    const file = out.stdout.trim().split('\n').pop()!;
    paths = JSON.parse(readFileSync(file, 'utf8')) as SchemaPaths;
  }
  return paths;
}

/** The Kubernetes release the objects are validated against, e.g. "1.34.2". */
export function kubernetesRelease(): string {
  return schemaPaths().kubernetesRelease;
}

// ------------------------------------------------------------------------------------ schemas

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';

/** One OpenAPI v3 document of the API server, e.g. apis__apps__v1_openapi.json, by apiVersion. */
function openApiFile(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  const name = slash < 0 ? `api__${apiVersion}_openapi.json` : `apis__${apiVersion.slice(0, slash)}__${apiVersion.slice(slash + 1)}_openapi.json`;
  return join(schemaPaths().openapiV3Dir, name);
}

interface Source {
  /** Where the schema of a kind comes from, for the cache key and messages. */
  id: string;
  /** The text the schema is made from (hashed for the cache key). */
  text: string;
  /** Builds the kind's (strict) schema, carrying the components its refs point to. */
  build(): Schema;
}

const documents = new Map<string, { text: string; json: { components?: { schemas?: Record<string, Schema> } } } | null>();

function openApiDocument(apiVersion: string) {
  if (!documents.has(apiVersion)) {
    const file = openApiFile(apiVersion);
    if (!existsSync(file)) documents.set(apiVersion, null);
    else {
      const text = readFileSync(file, 'utf8');
      documents.set(apiVersion, { text, json: JSON.parse(text) });
    }
  }
  return documents.get(apiVersion) ?? undefined;
}

interface Crd {
  group: string;
  kind: string;
  versions: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }>;
  text: string;
}

let crds: Map<string, Crd> | undefined;

function crdIndex(): Map<string, Crd> {
  if (!crds) {
    crds = new Map();
    for (const file of schemaPaths().crds) {
      const text = readFileSync(file, 'utf8');
      for (const doc of parseAllDocuments(text)) {
        const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: Crd['versions'] } } | null;
        if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
        for (const version of crd.spec.versions) {
          crds.set(`${crd.spec.group}/${version.name}:${crd.spec.names.kind}`, { group: crd.spec.group, kind: crd.spec.names.kind, versions: crd.spec.versions, text });
        }
      }
    }
  }
  return crds;
}

/** The source of a kind's schema, or a reason why there is none. */
function sourceFor(apiVersion: string, kind: string): Source | string {
  const crd = crdIndex().get(`${apiVersion}:${kind}`);
  if (crd) {
    const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
    const served = crd.versions.find((v) => v.name === version);
    if (!served?.served) return `${apiVersion} ${kind}: version ${version} is not served by the CRD`;
    const root = served.schema?.openAPIV3Schema;
    if (!root) return `${apiVersion} ${kind}: the CRD has no openAPIV3Schema for ${version}`;
    return {
      id: `crd:${apiVersion}:${kind}`,
      text: `${crd.text}\0${openApiDocument('v1')!.text}`,
      build: () => crdSchema(apiVersion, kind, root),
    };
  }
  const doc = openApiDocument(apiVersion);
  if (!doc) return `${apiVersion} ${kind}: no OpenAPI schema for apiVersion ${apiVersion} in Kubernetes ${kubernetesRelease()}`;
  const schemas = doc.json.components?.schemas ?? {};
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const version = apiVersion.slice(apiVersion.indexOf('/') + 1);
  const name = Object.keys(schemas).find((key) => {
    const gvks = (schemas[key]['x-kubernetes-group-version-kind'] ?? []) as Array<{ group: string; version: string; kind: string }>;
    return gvks.some((gvk) => gvk.group === group && gvk.version === version && gvk.kind === kind);
  });
  if (!name) return `${apiVersion} ${kind}: no such kind in Kubernetes ${kubernetesRelease()} (${apiVersion})`;
  return {
    id: `k8s:${apiVersion}:${kind}`,
    text: doc.text,
    build: () => {
      const components = strictComponents(schemas);
      return {
        ...components[name],
        ...withTypeMeta(components[name], apiVersion, kind),
        components: { schemas: components },
      };
    },
  };
}

const QUANTITY_SCHEMA = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
/** resource.Quantity's syntax (apimachinery), which the OpenAPI schema leaves as any string. */
export const QUANTITY_PATTERN = '^[+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

/** A built-in kind: every component strict, refs stay `#/components/schemas/...` (the root carries them). */
function strictComponents(schemas: Record<string, Schema>): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(schemas)) out[name] = strictify(schema) as Schema;
  if (out[QUANTITY_SCHEMA]) out[QUANTITY_SCHEMA] = { oneOf: [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }] };
  return out;
}

/** apiVersion and kind exactly these, and the object metadata required. */
function withTypeMeta(root: Schema, apiVersion: string, kind: string): Schema {
  const properties = { ...(root.properties as Record<string, Schema>) };
  properties.apiVersion = { type: 'string', const: apiVersion };
  properties.kind = { type: 'string', const: kind };
  const required = new Set([...((root.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata']);
  return { properties, required: [...required] };
}

/** A custom resource: the CRD's structural schema, strict, with the real ObjectMeta of Kubernetes. */
function crdSchema(apiVersion: string, kind: string, openAPIV3Schema: Schema): Schema {
  const root = strictify(openAPIV3Schema) as Schema;
  const core = strictComponents(openApiDocument('v1')!.json.components!.schemas!);
  const metaRefs = new Set<string>();
  collectRefs(core[OBJECT_META], core, metaRefs);
  const components: Record<string, Schema> = {};
  for (const name of [OBJECT_META, ...metaRefs]) components[name] = core[name];
  const typed = withTypeMeta(root, apiVersion, kind);
  (typed.properties as Record<string, Schema>).metadata = { $ref: `#/components/schemas/${OBJECT_META}` };
  return { ...root, ...typed, type: 'object', components: { schemas: components } };
}

function collectRefs(schema: unknown, all: Record<string, Schema>, into: Set<string>): void {
  if (Array.isArray(schema)) for (const item of schema) collectRefs(item, all, into);
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/components/schemas/', '');
        if (!into.has(name)) {
          into.add(name);
          collectRefs(all[name], all, into);
        }
      } else collectRefs(value, all, into);
    }
  }
}

const KEYWORDS_WITH_SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
const KEYWORDS_WITH_SCHEMA = new Set(['items', 'additionalProperties', 'not', 'additionalItems']);
const KEYWORDS_WITH_SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);

/**
 * kubeconform --strict: `additionalProperties: false` in every structural object schema that lists
 * `properties` and says nothing about other keys, unless it preserves unknown fields. Only the
 * structural part (reached through properties, items and additionalProperties) is changed: the
 * value validations under allOf/anyOf/oneOf/not list a subset of the properties on purpose.
 * `x-kubernetes-int-or-string` without a type gets the two types it means.
 */
function strictify(schema: unknown, structural = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => strictify(item, structural));
  if (!schema || typeof schema !== 'object') return schema;
  const node = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'default' || key === 'example' || key === 'enum' || key === 'x-kubernetes-group-version-kind' || key === 'description') {
      if (key !== 'description') out[key] = value;
    } else if (KEYWORDS_WITH_SCHEMA_MAPS.has(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strictify(sub, structural)]));
    } else if (KEYWORDS_WITH_SCHEMA.has(key)) {
      out[key] = typeof value === 'boolean' ? value : strictify(value, structural && key !== 'not');
    } else if (KEYWORDS_WITH_SCHEMA_LISTS.has(key)) {
      out[key] = strictify(value, false);
    } else out[key] = value;
  }
  if (structural && node.properties && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (node['x-kubernetes-int-or-string'] === true && node.type === undefined) out.type = ['integer', 'string'];
  return out;
}

// ---------------------------------------------------------------------------------- compiling

const FORMATS = ['int32', 'int64', 'float', 'double', 'byte', 'date-time'] as const;

/**
 * CRD patterns are Go (RE2) regular expressions: JavaScript has no inline flags such as
 * `^(?i)(abort|warn)?$`, which become RegExp flags. Written as source so that the standalone
 * code of a compiled validator carries it.
 */
const GO_REGEXP_SOURCE = `(function goRegExp(pattern, flags) {
  let f = flags || '';
  const p = pattern.replace(/\\(\\?([imsU]+)\\)/g, (_, inline) => {
    for (const flag of inline) if ((flag === 'i' || flag === 's') && !f.includes(flag)) f += flag;
    return '';
  });
  return new RegExp(p, f);
})`;
// eslint-disable-next-line no-eval
const goRegExp = Object.assign((0, eval)(GO_REGEXP_SOURCE) as (pattern: string, flags: string) => RegExp, { code: GO_REGEXP_SOURCE });

function newAjv(): Ajv {
  const ajv = new Ajv({
    strict: false,
    allErrors: true,
    logger: false,
    code: { source: true, formats: ajvFormatsCode(), regExp: goRegExp },
    // A format the validator does not know (int-or-string, ...) is accepted.
    formats: { 'int-or-string': true },
  });
  // Only the formats that mean the same in Kubernetes as in ajv-formats (not its ISO 8601 "duration").
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require('ajv-formats')(ajv, [...FORMATS]);
  return ajv;
}

/** For standalone code: the formats come from ajv-formats at load time. */
function ajvFormatsCode() {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { _ } = require('ajv') as typeof import('ajv');
  return _`require("ajv-formats/dist/formats").fullFormats`;
}

const validators = new Map<string, ValidateFunction>();

let salt: string | undefined;

/**
 * What else a compiled validator depends on: ajv's version and the code that builds the schemas
 * and the ajv instance, as it runs (not as it is on disk, which may have changed since it loaded).
 */
function cacheSalt(): string {
  if (salt === undefined) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const ajvVersion = (require('ajv/package.json') as { version: string }).version;
    const code = [sourceFor, strictComponents, withTypeMeta, crdSchema, collectRefs, strictify, newAjv, ajvFormatsCode].map((f) => f.toString());
    salt = [TRANSFORM_VERSION, ajvVersion, QUANTITY_PATTERN, GO_REGEXP_SOURCE, FORMATS.join(','), ...code].join('\0');
  }
  return salt;
}

function validatorFor(apiVersion: string, kind: string): ValidateFunction | string {
  const key = `${apiVersion}:${kind}`;
  const cached = validators.get(key);
  if (cached) return cached;
  const source = sourceFor(apiVersion, kind);
  if (typeof source === 'string') return source;
  const hash = createHash('sha256').update(`${cacheSalt()}\0${source.id}\0${source.text}`).digest('hex').slice(0, 24);
  const file = join(COMPILED_DIR, `${key.replace(/[^A-Za-z0-9.]+/g, '_')}-${hash}.js`);
  let validate: ValidateFunction | undefined;
  if (existsSync(file)) {
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      validate = require(file) as ValidateFunction;
    } catch {
      validate = undefined;
    }
  }
  if (!validate) {
    const ajv = newAjv();
    validate = ajv.compile(source.build());
    mkdirSync(COMPILED_DIR, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, standaloneCode(ajv, validate));
    renameSync(tmp, file);
    // Validators compiled from older schemas or an older transformation of them.
    const prefix = `${key.replace(/[^A-Za-z0-9.]+/g, '_')}-`;
    for (const stale of readdirSync(COMPILED_DIR)) {
      if (stale.startsWith(prefix) && stale.endsWith('.js') && join(COMPILED_DIR, stale) !== file) rmSync(join(COMPILED_DIR, stale), { force: true });
    }
  }
  validators.set(key, validate);
  return validate;
}

// --------------------------------------------------------------------------------- validating

/** Validates each object; the result lists every object, with no errors when it is valid. */
export function validateObjects(objects: readonly unknown[]): ValidationResult[] {
  return objects.map((object) => validateObject(object));
}

/** Only the objects with errors, as "Kind/name: error" lines (empty when everything is valid). */
export function schemaErrors(objects: readonly unknown[]): string[] {
  return validateObjects(objects).flatMap((r) => r.errors.map((e) => `${r.kind}/${r.name}: ${e}`));
}

export function validateObject(object: unknown): ValidationResult {
  if (!object || typeof object !== 'object' || Array.isArray(object)) {
    return { kind: '?', name: '?', errors: ['not a mapping (every YAML document must be one Kubernetes object)'] };
  }
  const obj = object as K8sObject;
  const kind = typeof obj.kind === 'string' ? obj.kind : '?';
  const name = typeof obj.metadata?.name === 'string' ? obj.metadata.name : '?';
  if (typeof obj.apiVersion !== 'string' || typeof obj.kind !== 'string') {
    return { kind, name, errors: ['apiVersion and kind must be strings'] };
  }
  const validate = validatorFor(obj.apiVersion, obj.kind);
  if (typeof validate === 'string') return { kind, name, errors: [`unknown kind: ${validate}`] };
  const errors: string[] = [];
  if (!validate(obj)) errors.push(...formatErrors(validate.errors ?? []));
  errors.push(...floatLiteralErrors(obj, validate));
  errors.push(...apiServerChecks(obj));
  return { kind, name, errors: [...new Set(errors)] };
}

function formatErrors(errors: ErrorObject[]): string[] {
  // Inside a oneOf/anyOf, the branch errors say little once the combinator's own error is there.
  const combinators = errors.filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf').map((e) => e.schemaPath);
  return errors
    .filter((e) => e.keyword === 'oneOf' || e.keyword === 'anyOf' || !combinators.some((path) => e.schemaPath.startsWith(`${path}/`)))
    .map((e) => {
      const at = e.instancePath === '' ? '(root)' : e.instancePath;
      if (e.keyword === 'additionalProperties') return `${at}: unknown field "${(e.params as { additionalProperty: string }).additionalProperty}"`;
      if (e.keyword === 'const') return `${at}: must be ${JSON.stringify((e.params as { allowedValue: unknown }).allowedValue)}`;
      if (e.keyword === 'enum') return `${at}: ${e.message} ${JSON.stringify((e.params as { allowedValues: unknown }).allowedValues)}`;
      return `${at}: ${e.message}`;
    });
}

/**
 * A number written as a float in the YAML (`1e+06`, `3.0`) is rejected by the API server where the
 * type is an integer, although JavaScript reads an integer. Such numbers are moved off the integer
 * (+0.5) in a copy and validated again: an "integer" error there is the API server's error.
 */
function floatLiteralErrors(obj: K8sObject, validate: ValidateFunction): string[] {
  const pointers = (obj as Record<symbol, unknown>)[FLOAT_LITERALS] as Map<string, string> | undefined;
  if (!pointers || pointers.size === 0) return [];
  const copy = structuredClone(obj) as Record<string, unknown>;
  let moved = false;
  for (const pointer of pointers.keys()) {
    const segments = pointer.split('/').slice(1).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
    let parent: Record<string, unknown> | undefined = copy;
    for (const segment of segments.slice(0, -1)) parent = parent?.[segment] as Record<string, unknown> | undefined;
    const last = segments[segments.length - 1];
    if (parent && typeof parent[last] === 'number' && Number.isInteger(parent[last])) {
      parent[last] = (parent[last] as number) + 0.5;
      moved = true;
    }
  }
  if (!moved || validate(copy)) return [];
  return (validate.errors ?? [])
    .filter((e) => e.keyword === 'type' && (e.params as { type: string }).type === 'integer' && pointers.has(e.instancePath))
    .map((e) => `${e.instancePath}: must be an integer, but the YAML has the float literal ${pointers.get(e.instancePath)}`);
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const IANA_SVC_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
/** Kinds whose name becomes a DNS label (Service) or part of pod host names (StatefulSet). */
const LABEL_NAMED = new Set(['Service', 'StatefulSet', 'Namespace']);
const POD_TEMPLATE_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job']);

/** The API server's name and label rules (apimachinery validation), which OpenAPI leaves out. */
function apiServerChecks(obj: K8sObject): string[] {
  const errors: string[] = [];
  const meta = obj.metadata ?? {};
  const kind = obj.kind as string;
  if (typeof meta.name !== 'string' || meta.name === '') errors.push('/metadata/name: required');
  else if (LABEL_NAMED.has(kind)) {
    const rule = kind === 'Service' ? DNS_1035_LABEL : DNS_LABEL;
    if (meta.name.length > 63 || !rule.test(meta.name)) errors.push(`/metadata/name: "${meta.name}" is not a valid DNS label (at most 63 characters${kind === 'Service' ? ', starting with a letter' : ''})`);
  } else if (meta.name.length > 253 || !DNS_SUBDOMAIN.test(meta.name)) errors.push(`/metadata/name: "${meta.name}" is not a valid DNS subdomain`);
  // The StatefulSet controller labels each pod with controller-revision-hash = <name>-<10 chars>,
  // a label value (at most 63): a longer name is accepted by the API server, but its pods never start.
  if (kind === 'StatefulSet' && typeof meta.name === 'string' && meta.name.length > 52) {
    errors.push(`/metadata/name: "${meta.name}" is longer than 52 characters: its pods' controller-revision-hash label would exceed 63`);
  }
  if (meta.namespace !== undefined && (typeof meta.namespace !== 'string' || !DNS_LABEL.test(meta.namespace))) errors.push(`/metadata/namespace: "${String(meta.namespace)}" is not a valid namespace`);
  errors.push(...labelErrors('/metadata/labels', meta.labels), ...keyErrors('/metadata/annotations', meta.annotations));
  const annotations = (meta.annotations ?? {}) as Record<string, unknown>;
  const annotationBytes = Object.entries(annotations).reduce((n, [k, v]) => n + k.length + String(v).length, 0);
  if (annotationBytes > 256 * 1024) errors.push('/metadata/annotations: more than 256 KiB in total');

  const spec = obj.spec as Record<string, unknown> | undefined;
  const templates: Array<[string, Record<string, unknown> | undefined]> = [];
  if (kind === 'Pod') templates.push(['', obj as Record<string, unknown>]);
  if (POD_TEMPLATE_KINDS.has(kind)) templates.push(['/spec/template', spec?.template as Record<string, unknown> | undefined]);
  if (kind === 'CronJob') {
    const job = (spec?.jobTemplate as Record<string, unknown> | undefined)?.spec as Record<string, unknown> | undefined;
    templates.push(['/spec/jobTemplate/spec/template', job?.template as Record<string, unknown> | undefined]);
  }
  for (const [base, template] of templates) {
    if (!template) continue;
    const templateMeta = (template.metadata ?? {}) as Record<string, unknown>;
    if (base) errors.push(...labelErrors(`${base}/metadata/labels`, templateMeta.labels), ...keyErrors(`${base}/metadata/annotations`, templateMeta.annotations));
    const podSpec = (template.spec ?? {}) as Record<string, unknown>;
    // A StatefulSet's volumeClaimTemplates are volumes of its pods too.
    const claims = kind === 'StatefulSet' ? ((spec?.volumeClaimTemplates ?? []) as Array<{ metadata?: { name?: string } }>).map((c) => c.metadata?.name) : [];
    errors.push(...podSpecErrors(`${base}/spec`, podSpec, claims));
  }
  if (kind === 'Service') {
    const ports = (spec?.ports ?? []) as Array<{ name?: string }>;
    ports.forEach((port, i) => {
      if (port.name !== undefined && (port.name.length > 15 || !IANA_SVC_NAME.test(port.name))) errors.push(`/spec/ports/${i}/name: "${port.name}" is not a valid port name (at most 15 characters)`);
    });
    if (ports.length > 1 && ports.some((port) => !port.name)) errors.push('/spec/ports: every port needs a name when there are several');
  }
  for (const selectorPath of ['selector'] as const) {
    const selector = spec?.[selectorPath] as { matchLabels?: unknown } | undefined;
    if (selector && typeof selector === 'object' && 'matchLabels' in selector) errors.push(...labelErrors(`/spec/${selectorPath}/matchLabels`, selector.matchLabels));
  }
  if (POD_TEMPLATE_KINDS.has(kind) && kind !== 'Job') {
    const matchLabels = ((spec?.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels ?? {}) as Record<string, string>;
    const templateLabels = (((spec?.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels ?? {}) as Record<string, string>);
    for (const [key, value] of Object.entries(matchLabels)) {
      if (templateLabels[key] !== value) errors.push(`/spec/selector/matchLabels/${key}: the pod template's labels do not match the selector`);
    }
  }
  return errors;
}

function podSpecErrors(at: string, podSpec: Record<string, unknown>, claimNames: Array<string | undefined> = []): string[] {
  const errors: string[] = [];
  const names = new Set<string>();
  for (const list of ['initContainers', 'containers'] as const) {
    const containers = (podSpec[list] ?? []) as Array<Record<string, unknown>>;
    containers.forEach((container, i) => {
      const name = container.name;
      if (typeof name === 'string') {
        if (name.length > 63 || !DNS_LABEL.test(name)) errors.push(`${at}/${list}/${i}/name: "${name}" is not a valid DNS label`);
        if (names.has(name)) errors.push(`${at}/${list}/${i}/name: "${name}" is used twice`);
        names.add(name);
      }
      const ports = (container.ports ?? []) as Array<{ name?: string }>;
      ports.forEach((port, j) => {
        if (port.name !== undefined && (port.name.length > 15 || !IANA_SVC_NAME.test(port.name) || !/[a-z]/.test(port.name))) {
          errors.push(`${at}/${list}/${i}/ports/${j}/name: "${port.name}" is not a valid port name (at most 15 characters)`);
        }
      });
      const env = (container.env ?? []) as Array<{ name?: string }>;
      const envNames = new Set<string>();
      env.forEach((variable, j) => {
        if (typeof variable.name === 'string' && envNames.has(variable.name)) errors.push(`${at}/${list}/${i}/env/${j}/name: "${variable.name}" is set twice`);
        if (typeof variable.name === 'string') envNames.add(variable.name);
      });
      const mounts = (container.volumeMounts ?? []) as Array<{ name?: string }>;
      const volumes = new Set([...((podSpec.volumes ?? []) as Array<{ name?: string }>).map((v) => v.name), ...claimNames]);
      mounts.forEach((mount, j) => {
        if (!volumes.has(mount.name)) errors.push(`${at}/${list}/${i}/volumeMounts/${j}/name: no volume "${String(mount.name)}" in the pod`);
      });
    });
  }
  return errors;
}

function keyErrors(at: string, map: unknown): string[] {
  if (!map || typeof map !== 'object') return [];
  const errors: string[] = [];
  for (const key of Object.keys(map)) {
    const slash = key.lastIndexOf('/');
    const prefix = slash < 0 ? undefined : key.slice(0, slash);
    const name = slash < 0 ? key : key.slice(slash + 1);
    if (name.length > 63 || !QUALIFIED_NAME.test(name) || (prefix !== undefined && (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)))) {
      errors.push(`${at}: "${key}" is not a valid key`);
    }
  }
  return errors;
}

function labelErrors(at: string, labels: unknown): string[] {
  if (!labels || typeof labels !== 'object') return [];
  const errors = keyErrors(at, labels);
  for (const [key, value] of Object.entries(labels)) {
    if (typeof value !== 'string') continue; // the schema reports the type
    if (value.length > 63 || !LABEL_VALUE.test(value)) errors.push(`${at}/${key}: "${value}" is not a valid label value (at most 63 characters)`);
  }
  return errors;
}
