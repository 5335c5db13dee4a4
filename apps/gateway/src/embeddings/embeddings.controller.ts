import { Controller, HttpCode, Inject, Post, Req, Res, UseGuards } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConnectorHub, type HubCallMeta } from '@llm-connector-hub/hub';
import { ApiKeyGuard } from '../common/api-key.guard';
import { validateBody } from '../common/validate-body';
import { COST_HEADER, costHeaderValue, failureHeaders, servedHeaders } from '../common/headers';
import { RequestObserver } from '../observability/request-observer';
import { cacheDirectives } from '../common/cache-directives';
import { applyTimeoutHeader } from '../common/timeout-header';
import { RequestTracker } from '../lifecycle/request-tracker';
import { embeddingsRequestSchema } from './embeddings.schema';

@Controller('v1')
@UseGuards(ApiKeyGuard)
export class EmbeddingsController {
  constructor(
    @Inject(ConnectorHub) private readonly hub: ConnectorHub,
    @Inject(RequestTracker) private readonly tracker: RequestTracker,
    @Inject(RequestObserver) private readonly observer: RequestObserver,
  ) {}

  @Post('embeddings')
  @HttpCode(200)
  async create(@Req() request: FastifyRequest, @Res() reply: FastifyReply): Promise<void> {
    const body = validateBody(embeddingsRequestSchema, request.body);
    applyTimeoutHeader(request, body);
    const cache = cacheDirectives(request);
    const controller = new AbortController();
    this.tracker.track(controller, reply.raw);
    const onClose = () => {
      if (!reply.raw.writableFinished) controller.abort(new DOMException('client closed the connection', 'AbortError'));
    };
    reply.raw.once('close', onClose);
    const meta: HubCallMeta = {};
    request.hubMeta = meta;
    if (request.record) request.record.meta = meta;
    try {
      const result = await this.hub.embed(body, { signal: controller.signal, requestId: request.id, meta, tenant: request.tenant, cache });
      reply.headers(servedHeaders(meta));
      const cost = this.observer.account(request.record, meta);
      if (cost !== undefined) reply.header(COST_HEADER, costHeaderValue(cost));
      await reply.send(result);
    } catch (error) {
      if (!reply.sent) reply.headers(failureHeaders(meta));
      throw error;
    } finally {
      reply.raw.off('close', onClose);
    }
  }
}
