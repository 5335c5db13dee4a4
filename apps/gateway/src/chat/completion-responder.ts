import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConnectorHub, type HubCallMeta, type HubCallOptions, type HubCompletion, type HubRequest } from '@llm-connector-hub/hub';
import { RequestTracker } from '../lifecycle/request-tracker';
import { GatewayErrors } from '../common/gateway-errors';
import { failureHeaders, servedHeaders } from '../common/headers';
import { cacheDirectives } from '../common/cache-directives';
import { applyTimeoutHeader } from '../common/timeout-header';
import { writeSseStream } from './sse-writer';

/** The two response shapes: OpenAI's (/v1) and the hub's own (/api), which adds `provider` and `content`. */
export type ResponseShape = 'openai' | 'hub';

/**
 * Runs one chat call through the hub and answers it as JSON or SSE. Owns the request's
 * AbortController: a client that disconnects, or a shutdown past its drain time, cancels the
 * upstream call.
 */
@Injectable()
export class CompletionResponder {
  private readonly logger = new Logger('CompletionResponder');

  constructor(
    @Inject(ConnectorHub) private readonly hub: ConnectorHub,
    @Inject(RequestTracker) private readonly tracker: RequestTracker,
  ) {}

  async respond(request: FastifyRequest, reply: FastifyReply, body: HubRequest, shape: ResponseShape): Promise<void> {
    if (this.tracker.draining) throw GatewayErrors.shuttingDown();
    applyTimeoutHeader(request, body);
    const cache = cacheDirectives(request);
    const controller = new AbortController();
    const release = this.tracker.track(controller);
    const raw = reply.raw;
    const onClose = () => {
      if (!raw.writableFinished) controller.abort(new DOMException('client closed the connection', 'AbortError'));
    };
    raw.once('close', onClose);
    const meta: HubCallMeta = {};
    const options = { signal: controller.signal, requestId: request.id, meta, tenant: request.tenant, cache };
    try {
      if (body.stream) await this.stream(request, reply, body, options);
      else {
        const completion = await this.hub.complete(body, options);
        reply.headers(servedHeaders(meta));
        await reply.send(shape === 'hub' ? hubShape(completion, meta) : completion);
      }
    } catch (error) {
      // Even a failure says how hard the gateway tried (retries, fallbacks).
      if (!reply.sent) reply.headers(failureHeaders(meta));
      throw error;
    } finally {
      raw.off('close', onClose);
      release();
    }
  }

  private async stream(
    request: FastifyRequest,
    reply: FastifyReply,
    body: HubRequest,
    options: HubCallOptions & { signal: AbortSignal; meta: HubCallMeta },
  ): Promise<void> {
    const iterator = this.hub.streamComplete(body, options);
    // Wait for the first chunk before committing to 200: an upstream that fails first
    // (401, 429, unknown model...) is answered with its real status as JSON.
    const first = await iterator.next();
    reply.hijack();
    reply.raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      'x-request-id': request.id,
      ...servedHeaders(options.meta),
    });
    await writeSseStream(reply.raw, first, iterator, {
      includeUsage: body.stream_options?.include_usage === true,
      signal: options.signal,
      onError: (error) => this.logger.warn(`stream ${request.id} ended with an error: ${(error as Error).message}`),
    });
  }
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
