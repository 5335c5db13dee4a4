import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { CacheMiddleware } from '@llm-connector-hub/cache';
import { RequestTracker } from '../lifecycle/request-tracker';

/**
 * Liveness (the process answers) and readiness (not draining). Open without a gateway key.
 * Readiness reports the cache: 'degraded' while Redis is unreachable still answers 200, since
 * the cache fails open and the gateway serves every request without it.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(RequestTracker) private readonly tracker: RequestTracker,
    @Inject(CacheMiddleware) private readonly cache: CacheMiddleware | null,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    const cache = this.cache ? await this.cache.checkHealth() : 'disabled';
    if (this.tracker.draining) {
      void reply.code(503).send({ status: 'draining', inFlight: this.tracker.inFlight, cache });
      return;
    }
    void reply.send({ status: 'ok', inFlight: this.tracker.inFlight, cache });
  }
}
