import type { FastifyRequest } from 'fastify';
import { NATIVE_DIALECTS, type NativeRequest } from '@llm-connector-hub/core';
import { receivedBody } from './received-body';

/** The headers of Anthropic's dialect a pass-through may need; the provider forwards those it deems safe. */
const DIALECT_HEADERS = ['anthropic-version', 'anthropic-beta'] as const;

/** A `/v1/messages` request as the client sent it: its body before validation rebuilt it, and its dialect headers (never its key). */
export function anthropicNativeRequest(request: FastifyRequest): NativeRequest {
  const headers: Record<string, string> = {};
  for (const name of DIALECT_HEADERS) {
    const value = request.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { dialect: NATIVE_DIALECTS.anthropicMessages, body: receivedBody(request) as Record<string, unknown>, headers };
}
