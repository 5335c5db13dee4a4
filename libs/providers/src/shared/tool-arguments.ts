import { HubErrors } from '@llm-connector-hub/core';

/**
 * A tool call's arguments as the object the provider wants: OpenAI carries them as a JSON string,
 * Anthropic, Gemini and Bedrock as a JSON object, so the string must parse to one (400 naming
 * `param` otherwise). Clients sometimes send '' for a tool without parameters: that is `{}`.
 */
export function toolArgumentsObject(text: string | undefined, param: string): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw HubErrors.invalidRequest(`${param} is not valid JSON.`, param);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw HubErrors.invalidRequest(`${param} must be a JSON object.`, param);
  return parsed as Record<string, unknown>;
}
