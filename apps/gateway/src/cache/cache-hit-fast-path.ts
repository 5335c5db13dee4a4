import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConnectorHub, type HubCallMeta, type HubCompletion, type HubRequest } from '@llm-connector-hub/hub';
import { ApiKeyGuard } from '../common/api-key.guard';
import { validateBody } from '../common/validate-body';
import { CACHE_TTL_HEADER, TIMEOUT_HEADER } from '../common/headers';
import { chatRequestSchema } from '../chat/chat-request.schema';
import { toHubRequest } from '../chat/to-hub-request';
import { sendCompletion } from '../chat/completion-reply';
import { RequestTracker } from '../lifecycle/request-tracker';
import { RequestObserver } from '../observability/request-observer';

const CHAT_ROUTE = '/v1/chat/completions';

/**
 * Answers `POST /v1/chat/completions` from the in-process cache tier in a Fastify preHandler
 * hook, before Nest's router, guard and controller run. A memory hit needs no I/O, so Nest's
 * per-request machinery (its router, the guard's execution context, the async controller and
 * responder, the hub's deadline timer) was most of its cost: about a third of the CPU a hit used.
 *
 * The rule that keeps this safe: the hook answers only when the controller would give the very
 * same answer, and otherwise does nothing at all, leaving the request to Nest unchanged. It runs
 * the same gateway-key check, the same body schema and the same hub routing as the controller
 * and answers through the same sendCompletion. It steps aside on anything else: a stream, a
 * cache or timeout header, a drain, a failed key check or body (Nest then answers with the
 * error), an unknown model, or a miss (the hub then looks up both tiers, as before).
 */
@Injectable()
export class CacheHitFastPath {
  constructor(
    @Inject(ConnectorHub) private readonly hub: ConnectorHub,
    @Inject(ApiKeyGuard) private readonly keys: ApiKeyGuard,
    @Inject(RequestTracker) private readonly tracker: RequestTracker,
    @Inject(RequestObserver) private readonly observer: RequestObserver,
  ) {}

  install(fastify: FastifyInstance): void {
    fastify.addHook('preHandler', (request, reply, done) => {
      if (request.method !== 'POST' || request.routeOptions.url !== CHAT_ROUTE || !this.answer(request, reply)) done();
      // Answered: not calling done() ends the hook chain; the route's handler never runs.
    });
  }

  /** True when the request was answered from memory. */
  private answer(request: FastifyRequest, reply: FastifyReply): boolean {
    if (this.tracker.draining) return false;
    const headers = request.headers;
    if (headers['cache-control'] !== undefined || headers[CACHE_TTL_HEADER] !== undefined || headers[TIMEOUT_HEADER] !== undefined) return false;
    const meta: HubCallMeta = {};
    let completion: HubCompletion | undefined;
    let body: HubRequest;
    try {
      this.keys.authenticate(request);
      body = toHubRequest(validateBody(chatRequestSchema, request.body));
      if (body.stream) {
        request.preparedChat = { body };
        return false;
      }
      const state = new Map<string, unknown>();
      completion = this.hub.completeSync(body, { requestId: request.id, meta, tenant: request.tenant, state });
      // A miss: the controller goes on with this body and the hub with this state (the cache key).
      if (!completion) request.preparedChat = { body, state };
    } catch {
      // The controller repeats the step that threw and answers with its error.
      return false;
    }
    if (!completion) return false;
    const record = request.record;
    this.observer.observeCall(record, body, meta);
    void sendCompletion(reply, completion, meta, this.observer, record, 'openai');
    return true;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * Set by CacheHitFastPath when it validated a chat body but did not answer: the controller
     * uses this body rather than validating again, and the hub call reuses `state` (the cache key
     * computed for the lookup). Never set when a header could still change the body or the key.
     */
    preparedChat?: { body: HubRequest; state?: Map<string, unknown> };
  }
}
