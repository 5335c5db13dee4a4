/**
 * Writes a chart's values.schema.json from the comments of its values.yaml, so that the schema and
 * the values cannot drift (`make chart-docs`; deploy/test/chart-docs.spec.ts fails when the
 * committed file differs from what this prints):
 *
 *   node scripts/chart-values-schema.ts <chart dir>            prints the schema
 *   node scripts/chart-values-schema.ts <chart dir> --write    writes <chart dir>/values.schema.json
 *
 * The annotations are those of helm-schema (github.com/dadav/helm-schema), which the Go module
 * proxy does not serve, so this small generator reads the same syntax:
 *
 *   # @schema                     a block of JSON Schema keywords, in YAML, in the comment above a key
 *   # minimum: 1
 *   # required: true              (a boolean: the key is in its parent's `required`)
 *   # @schema
 *   # -- What the key does.       helm-docs' description, which both the README table and the schema use
 *   replicaCount: 2
 *
 * and `# @schema.root` ... `# @schema.root` for the keywords of the root (definitions, conditions).
 * What the values say is inferred: each key's type from its default (unless the block gives `type`,
 * `$ref`, `allOf`, `anyOf` or `oneOf`), and each map's keys as its properties with
 * `additionalProperties: false` (strict: a misspelled key fails `helm install`), unless the block
 * gives `$ref`/`allOf` (a definition owns the shape) or says otherwise. Lists get their items from
 * the block only.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isMap, isScalar, isSeq, parse, parseDocument, type Node, type Pair, type YAMLMap } from 'yaml';

type Schema = Record<string, unknown>;

const SHAPE_KEYWORDS = ['type', '$ref', 'allOf', 'anyOf', 'oneOf'];
const DEFINED_ELSEWHERE = ['$ref', 'allOf'];

/** The `@schema` (or `@schema.root`) blocks of a comment, merged, and the comment's helm-docs description. */
function readComment(comment: string | undefined | null, marker: '@schema' | '@schema.root'): { keywords: Schema; description?: string; rest: string[] } {
  const lines = (comment ?? '').split('\n').map((line) => line.replace(/^ ?/, ''));
  const keywords: Schema = {};
  const rest: string[] = [];
  let block: string[] | undefined;
  for (const line of lines) {
    if (line.trim() === marker || line.trim().startsWith(`${marker} `)) {
      if (block) {
        Object.assign(keywords, parse(block.join('\n')) ?? {});
        block = undefined;
      } else block = [];
    } else if (block) block.push(line);
    else rest.push(line);
  }
  if (block) throw new Error(`an unclosed ${marker} block in:\n${comment}`);
  // helm-docs: the description starts at the last `# --` line and runs to the key.
  const start = rest.map((line) => /^--( |$)/.test(line)).lastIndexOf(true);
  const description = start < 0 ? undefined : rest.slice(start).join(' ').replace(/^--\s*/, '').replace(/\s+/g, ' ').trim() || undefined;
  return { keywords, description, rest };
}

function inferredType(node: Node | null): string | undefined {
  if (isMap(node)) return 'object';
  if (isSeq(node)) return 'array';
  if (!isScalar(node) || node.value === null) return undefined;
  if (typeof node.value === 'number') return Number.isInteger(node.value) && !/[.eE]/.test(node.source ?? '') ? 'integer' : 'number';
  return typeof node.value;
}

/** The schema of one key; `required` tells its parent whether it is required. */
function schemaOf(pair: Pair, comment: string | undefined | null): { name: string; schema: Schema; required: boolean } {
  const name = String(isScalar(pair.key) ? pair.key.value : pair.key);
  const value = pair.value as Node | null;
  const { keywords, description } = readComment(comment, '@schema');
  // `required: true` is helm-schema's flag for the parent's list; an array is JSON Schema's own.
  const { required, ...rest } = keywords;
  const annotation = typeof required === 'boolean' || required === undefined ? rest : keywords;
  const schema: Schema = {};
  if (description) schema.description = description;
  const type = inferredType(value);
  if (type && !SHAPE_KEYWORDS.some((k) => k in annotation)) schema.type = type;
  Object.assign(schema, annotation);
  if (isMap(value) && value.items.length > 0 && !DEFINED_ELSEWHERE.some((k) => k in annotation)) Object.assign(schema, objectSchema(value, schema));
  return { name, schema, required: required === true };
}

/** properties (the map's keys, then those only the annotation names), additionalProperties and required. */
function objectSchema(map: YAMLMap, annotation: Schema): Schema {
  const properties: Record<string, Schema> = {};
  const required = new Set<string>((annotation.required as string[] | undefined) ?? []);
  map.items.forEach((pair, i) => {
    // The comment above a map's first key belongs to the map's value node in the yaml library.
    const comment = i === 0 ? [map.commentBefore, (pair.key as Node | null)?.commentBefore].filter(Boolean).join('\n') : (pair.key as Node | null)?.commentBefore;
    const child = schemaOf(pair, comment);
    properties[child.name] = child.schema;
    if (child.required) required.add(child.name);
  });
  const out: Schema = { properties: { ...properties, ...((annotation.properties) ?? {}) } };
  if (!('additionalProperties' in annotation) && !('patternProperties' in annotation)) out.additionalProperties = false;
  if (required.size > 0) out.required = [...required];
  return out;
}

function valuesSchema(chartDir: string): Schema {
  const doc = parseDocument(readFileSync(join(chartDir, 'values.yaml'), 'utf8'));
  if (!isMap(doc.contents)) throw new Error(`${chartDir}/values.yaml: not a map`);
  const root = doc.contents;
  // The root block sits in the file's header comment, which the yaml library gives to the first key.
  const header = [doc.commentBefore, root.commentBefore, (root.items[0]?.key as Node | null)?.commentBefore].filter(Boolean).join('\n');
  const { keywords } = readComment(header, '@schema.root');
  // The first key's own comment without the root block, so that its description is its own.
  const firstKey = root.items[0]?.key as Node | null;
  if (firstKey?.commentBefore) firstKey.commentBefore = readComment(firstKey.commentBefore, '@schema.root').rest.join('\n');
  // The root's own keywords first, its properties, then conditions and definitions (the long part).
  const LAST = ['properties', 'required', 'allOf', 'definitions'];
  const head = Object.fromEntries(Object.entries(keywords).filter(([key]) => !LAST.includes(key)));
  const schema: Schema = { ...head, type: 'object', ...objectSchema(root, keywords) };
  if (keywords.allOf) schema.allOf = keywords.allOf;
  if (keywords.definitions) schema.definitions = keywords.definitions;
  return schema;
}

function main(): void {
  const [chartDir, flag] = process.argv.slice(2);
  if (!chartDir || (flag !== undefined && flag !== '--write')) {
    console.error('usage: node scripts/chart-values-schema.ts <chart dir> [--write]');
    process.exit(2);
  }
  const text = `${JSON.stringify(valuesSchema(chartDir), null, 2)}\n`;
  if (flag === '--write') writeFileSync(join(chartDir, 'values.schema.json'), text);
  else process.stdout.write(text);
}

main();
