/**
 * Writes the JSON schemas kubeconform validates against, in its two local layouts, from what
 * scripts/k8s-schemas.sh fetched (it runs this: `node scripts/k8s-jsonschemas.ts <paths.json> <out>`):
 *
 *   <out>/v<release>-standalone-strict/<kind><kindSuffix>.json   built-in kinds (deployment-apps-v1.json),
 *                                                               the layout of kubeconform's default location
 *   <out>/<group>/<kind>_<version>.json                        custom resources (monitoring.coreos.com/
 *                                                               servicemonitor_v1.json), openapi2jsonschema.py's
 *
 * Written here rather than with kubeconform's openapi2jsonschema.py because that script reads CRDs
 * and Swagger 2.0 only, while the API server of the release publishes OpenAPI v3, one document per
 * group-version; and because the schemas need three things it does not do: the real ObjectMeta of
 * Kubernetes in each custom resource (a CRD says only `metadata: {type: object}`, so a misspelled
 * `annotatons` would pass), resource.Quantity's syntax (the OpenAPI leaves it as any string), and
 * apiVersion, kind and metadata required.
 *
 * Strict like kubeconform's `-strict` schemas: `additionalProperties: false` in every structural
 * object schema that lists `properties` and says nothing about other keys, unless it preserves
 * unknown fields. Each schema is standalone: the components its refs reach are carried under
 * `components.schemas`, where the refs (`#/components/schemas/...`) already point.
 */
import { mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

type Schema = Record<string, unknown>;

interface SchemaPaths {
  kubernetesRelease: string;
  openapiV3Dir: string;
  crds: string[];
}

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
/** resource.Quantity's syntax (apimachinery), which the OpenAPI schema leaves as any string. */
const QUANTITY_PATTERN = '^[+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

const KEYWORDS_WITH_SCHEMA_MAPS = new Set(['properties', 'patternProperties', 'definitions', '$defs']);
const KEYWORDS_WITH_SCHEMA = new Set(['items', 'additionalProperties', 'not', 'additionalItems']);
const KEYWORDS_WITH_SCHEMA_LISTS = new Set(['allOf', 'anyOf', 'oneOf']);

/**
 * Strict, as above. Only the structural part (reached through properties, items and
 * additionalProperties) is changed: the value validations under allOf/anyOf/oneOf/not list a subset
 * of the properties on purpose. `x-kubernetes-int-or-string` without a type gets the two types it
 * means. Descriptions are dropped: they are most of the bytes and kubeconform does not print them.
 */
function strictify(schema: unknown, structural = true): unknown {
  if (Array.isArray(schema)) return schema.map((item) => strictify(item, structural));
  if (!schema || typeof schema !== 'object') return schema;
  const node = schema as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node)) {
    if (key === 'description') continue;
    if (key === 'default' || key === 'example' || key === 'enum' || key === 'x-kubernetes-group-version-kind') out[key] = value;
    else if (KEYWORDS_WITH_SCHEMA_MAPS.has(key) && value && typeof value === 'object') {
      out[key] = Object.fromEntries(Object.entries(value).map(([name, sub]) => [name, strictify(sub, structural)]));
    } else if (KEYWORDS_WITH_SCHEMA.has(key)) out[key] = typeof value === 'boolean' ? value : strictify(value, structural && key !== 'not');
    else if (KEYWORDS_WITH_SCHEMA_LISTS.has(key)) out[key] = strictify(value, false);
    else out[key] = value;
  }
  if (structural && node.properties && node.additionalProperties === undefined && node['x-kubernetes-preserve-unknown-fields'] !== true) {
    out.additionalProperties = false;
  }
  if (node['x-kubernetes-int-or-string'] === true && node.type === undefined) out.type = ['integer', 'string'];
  return out;
}

function strictComponents(schemas: Record<string, Schema>): Record<string, Schema> {
  const out: Record<string, Schema> = {};
  for (const [name, schema] of Object.entries(schemas)) out[name] = strictify(schema) as Schema;
  if (out[QUANTITY]) out[QUANTITY] = { oneOf: [{ type: 'string', pattern: QUANTITY_PATTERN }, { type: 'number' }] };
  return out;
}

/** The components a schema reaches through its refs, transitively. */
function reachable(schema: unknown, all: Record<string, Schema>, into = new Set<string>()): Set<string> {
  if (Array.isArray(schema)) for (const item of schema) reachable(item, all, into);
  else if (schema && typeof schema === 'object') {
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$ref' && typeof value === 'string') {
        const name = value.replace('#/components/schemas/', '');
        if (!into.has(name)) {
          into.add(name);
          reachable(all[name], all, into);
        }
      } else reachable(value, all, into);
    }
  }
  return into;
}

/** apiVersion and kind exactly these, the metadata required, and the components the refs reach. */
function standalone(root: Schema, apiVersion: string, kind: string, components: Record<string, Schema>): Schema {
  const properties = { ...(root.properties as Record<string, Schema>), apiVersion: { type: 'string', enum: [apiVersion] }, kind: { type: 'string', enum: [kind] } };
  const required = [...new Set([...((root.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata'])];
  const schema: Schema = { ...root, type: 'object', properties, required };
  const carried = Object.fromEntries([...reachable(schema, components)].sort().map((name) => [name, components[name]]));
  return { ...schema, components: { schemas: carried } };
}

function main(pathsFile: string, outDir: string): void {
  const paths = JSON.parse(readFileSync(pathsFile, 'utf8')) as SchemaPaths;
  const tmp = `${outDir}.${process.pid}.tmp`;
  rmSync(tmp, { recursive: true, force: true });
  const builtinDir = join(tmp, `v${paths.kubernetesRelease}-standalone-strict`);
  mkdirSync(builtinDir, { recursive: true });
  let written = 0;
  const write = (file: string, schema: Schema) => {
    writeFileSync(file, JSON.stringify(schema));
    written++;
  };

  // Built-in kinds: one OpenAPI v3 document per group-version (api__v1_openapi.json, apis__apps__v1_openapi.json).
  let coreComponents: Record<string, Schema> | undefined;
  for (const file of readdirSync(paths.openapiV3Dir).filter((f) => /^(api|apis__.+)__v[0-9a-z]+_openapi\.json$/.test(f))) {
    const doc = JSON.parse(readFileSync(join(paths.openapiV3Dir, file), 'utf8')) as { components?: { schemas?: Record<string, Schema> } };
    const components = strictComponents(doc.components?.schemas ?? {});
    if (file === 'api__v1_openapi.json') coreComponents = components;
    for (const schema of Object.values(components)) {
      for (const gvk of (schema['x-kubernetes-group-version-kind'] ?? []) as Array<{ group: string; version: string; kind: string }>) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        // Only the kinds this document defines (every document also carries meta/v1's WatchEvent, DeleteOptions...).
        if (!file.startsWith(gvk.group ? `apis__${gvk.group}__${gvk.version}_` : `api__${gvk.version}_`)) continue;
        // kubeconform's {{ .KindSuffix }}: the first label of the group, and the version.
        const suffix = gvk.group ? `-${gvk.group.split('.')[0]}-${gvk.version}` : `-${gvk.version}`;
        write(join(builtinDir, `${gvk.kind.toLowerCase()}${suffix.toLowerCase()}.json`), standalone(schema, apiVersion, gvk.kind, components));
      }
    }
  }
  if (!coreComponents?.[OBJECT_META]) throw new Error(`no ${OBJECT_META} in ${paths.openapiV3Dir}/api__v1_openapi.json`);

  // Custom resources: each served version of each CRD, with Kubernetes' ObjectMeta as metadata.
  for (const file of paths.crds) {
    for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
      const crd = doc.toJS() as { kind?: string; spec?: { group: string; names: { kind: string }; versions: Array<{ name: string; served?: boolean; schema?: { openAPIV3Schema?: Schema } }> } } | null;
      if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
      const { group, names, versions } = crd.spec;
      mkdirSync(join(tmp, group), { recursive: true });
      for (const version of versions) {
        if (!version.served || !version.schema?.openAPIV3Schema) continue;
        const root = strictify(version.schema.openAPIV3Schema) as Schema;
        root.properties = { ...(root.properties as Record<string, Schema>), metadata: { $ref: `#/components/schemas/${OBJECT_META}` } };
        write(join(tmp, group, `${names.kind.toLowerCase()}_${version.name}.json`), standalone(root, `${group}/${version.name}`, names.kind, coreComponents));
      }
    }
  }

  rmSync(outDir, { recursive: true, force: true });
  renameSync(tmp, outDir);
  console.error(`k8s-jsonschemas: ${written} schemas written to ${outDir}`);
}

const [pathsFile, outDir] = process.argv.slice(2);
if (!pathsFile || !outDir) {
  console.error('usage: node scripts/k8s-jsonschemas.ts <paths.json> <output directory>');
  process.exit(2);
}
main(pathsFile, outDir);
