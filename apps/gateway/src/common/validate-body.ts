import type { z } from 'zod';
import { HubErrors, echo, type HubError } from '@llm-connector-hub/core';

/**
 * Parses a request body with a zod schema, in the result shape of a Fastify validator: the parsed
 * body, or the first problem as a 400 in OpenAI's error shape whose `param` names the field
 * (`messages[0].role`) and whose message says what is wrong.
 */
export function validateBody<T extends z.ZodType>(schema: T, body: unknown): { value: z.infer<T> } | { error: HubError } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    return { error: HubErrors.invalidRequest('The request body must be a JSON object.', null, 'invalid_body') };
  }
  const result = schema.safeParse(body);
  if (result.success) return { value: result.data };
  const issue = result.error.issues[0];
  const param = formatParam(issue.path);
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${echo(issue.keys.map((k) => `'${k}'`).join(', '))}` : issue.message;
  return { error: HubErrors.invalidRequest(param ? `Invalid '${param}': ${message}.` : `Invalid request: ${message}.`, param || null, 'invalid_value') };
}

function formatParam(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
