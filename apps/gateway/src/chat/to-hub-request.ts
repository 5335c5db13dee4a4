import type { HubRequest } from '@llm-connector-hub/hub';
import type { ChatRequestBody } from './chat-request.schema';

/**
 * OpenAI accepts `null` for optional fields; the canonical request uses absence instead, so
 * providers never have to tell the two apart. Mutates the freshly parsed body (no copy).
 */
export function toHubRequest(body: ChatRequestBody): HubRequest {
  const record = body as Record<string, unknown>;
  for (const key in record) if (record[key] === null) delete record[key];
  return body as unknown as HubRequest;
}
