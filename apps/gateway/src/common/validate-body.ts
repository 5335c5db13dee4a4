import type { z } from 'zod';
import { HubErrors, echo } from '@llm-connector-hub/core';

/**
 * Parses a request body with a zod schema; the first problem becomes a 400 in OpenAI's error
 * shape whose `param` names the field (`messages[0].role`) and whose message says what is wrong.
 */
export function validateBody<T extends z.ZodType>(schema: T, body: unknown): z.infer<T> {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw HubErrors.invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  }
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const param = formatParam(issue.path);
  const message = issue.code === 'unrecognized_keys' ? `unknown field(s) ${echo(issue.keys.map((k) => `'${k}'`).join(', '))}` : issue.message;
  throw HubErrors.invalidRequest(param ? `Invalid '${param}': ${message}.` : `Invalid request: ${message}.`, param || null, 'invalid_value');
}

function formatParam(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const key of path) {
    if (typeof key === 'number') out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out;
}
