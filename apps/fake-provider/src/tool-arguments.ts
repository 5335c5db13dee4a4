/**
 * Deterministic tool-call arguments from a JSON Schema: every declared (and every required)
 * property gets a value of its type, so the arguments validate against simple schemas and
 * a test can predict them: strings "fake-<property>", numbers 1, booleans true, enums their
 * first value. Gemini's upper-case OpenAPI types (`STRING`, `OBJECT`) are read too.
 */
const MAX_DEPTH = 8;

type Schema = Record<string, unknown>;

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function argumentsFromSchema(schema: unknown): Record<string, unknown> {
  const value = valueFor(schema, 'value', 0);
  return isSchema(value) ? value : {};
}

function typeOf(schema: Schema): string | undefined {
  const type = schema.type;
  if (typeof type === 'string') return type.toLowerCase();
  if (Array.isArray(type)) {
    const first: unknown = type.find((t) => typeof t === 'string' && t.toLowerCase() !== 'null');
    return typeof first === 'string' ? first.toLowerCase() : 'null';
  }
  if (isSchema(schema.properties)) return 'object';
  if (schema.items !== undefined) return 'array';
  return undefined;
}

function valueFor(schema: unknown, name: string, depth: number): unknown {
  if (!isSchema(schema) || depth > MAX_DEPTH) return `fake-${name}`;
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum) && schema.enum.length > 0) return schema.enum[0];
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const options = schema[key];
    if (Array.isArray(options) && options.length > 0) {
      const option: unknown = options.find((o) => !(isSchema(o) && o.type === 'null')) ?? options[0];
      return valueFor(option, name, depth + 1);
    }
  }
  switch (typeOf(schema)) {
    case 'object': {
      const out: Record<string, unknown> = {};
      const properties = isSchema(schema.properties) ? schema.properties : {};
      for (const [key, sub] of Object.entries(properties)) out[key] = valueFor(sub, key, depth + 1);
      if (Array.isArray(schema.required)) {
        for (const key of schema.required) if (typeof key === 'string' && !(key in out)) out[key] = `fake-${key}`;
      }
      return out;
    }
    case 'array':
      return [valueFor(schema.items, name, depth + 1)];
    case 'number':
    case 'integer':
      return 1;
    case 'boolean':
      return true;
    case 'null':
      return null;
    default:
      return `fake-${name}`;
  }
}
