import { performance } from 'node:perf_hooks';
import type { HubCallMeta } from '@llm-connector-hub/hub';

/**
 * What one API request did, filled in as it goes (controllers, the responder) and read once when
 * its response closes: for the request's metrics and its log line.
 */
export class RequestRecord {
  readonly startedAt = performance.now();
  /** The hub's account of the call: who served, attempts, cache result, usage, upstream time. */
  meta: HubCallMeta | undefined;
  stream = false;
  /** performance.now() when the first chunk of a stream was written. */
  firstChunkAt: number | undefined;
  /** What this request cost upstream, in USD (0 for a cache hit; undefined: no usage or no price). */
  costUsd: number | undefined;
  /** For a cache hit: what the answer would have cost. */
  savedUsd: number | undefined;
  /** Only with observability.requestLog.content: the prompt and the answer. */
  content: { messages?: unknown; answer?: unknown } | undefined;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set for API routes (/v1/*, /api/*) by RequestObserver. */
    record?: RequestRecord;
  }
}
