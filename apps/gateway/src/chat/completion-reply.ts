import type { FastifyReply } from 'fastify';
import type { HubCallMeta, HubCompletion } from '@llm-connector-hub/hub';
import { COST_HEADER, costHeaderValue, servedHeaders } from '../common/headers';
import type { RequestObserver } from '../observability/request-observer';
import type { RequestRecord } from '../observability/request-record';

/** The two response shapes: OpenAI's (/v1) and the hub's own (/api), which adds `provider` and `content`. */
export type ResponseShape = 'openai' | 'hub';

/**
 * Answers a finished non-stream chat call as JSON: the served-by and cache headers, the cost
 * header, and the answer for the request log when it carries content. One function for the
 * controllers' path and the cache-hit fast path, so both answer byte for byte alike.
 */
export function sendCompletion(
  reply: FastifyReply,
  completion: HubCompletion,
  meta: HubCallMeta,
  observer: RequestObserver,
  record: RequestRecord | undefined,
  shape: ResponseShape,
): FastifyReply {
  reply.headers(servedHeaders(meta));
  const cost = observer.account(record, meta);
  if (cost !== undefined) reply.header(COST_HEADER, costHeaderValue(cost));
  if (record?.content) record.content.answer = completion.choices.map((choice) => choice.message);
  return reply.send(shape === 'hub' ? hubShape(completion, meta) : completion);
}

function hubShape(completion: HubCompletion, meta: HubCallMeta) {
  const choice = completion.choices[0];
  return {
    ...completion,
    provider: meta.provider,
    content: completion.content,
    tool_calls: choice?.message.tool_calls,
    finish_reason: choice?.finish_reason ?? null,
  };
}
