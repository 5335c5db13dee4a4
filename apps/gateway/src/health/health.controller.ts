import { Controller, Get, Inject, Res, ServiceUnavailableException } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { HealthCheckService } from '@nestjs/terminus';
import { ReadinessIndicators } from './readiness.indicators';

/**
 * Liveness and readiness through @nestjs/terminus, open without a gateway key.
 * - `/health/live`: the process answers (no dependency checks: a Redis outage must never get
 *   pods restarted).
 * - `/health/ready`: 200 while every indicator is up, 503 with terminus' report otherwise
 *   (draining). Terminus reports failure by throwing; the body is sent as it is, not turned into
 *   an OpenAI error, since probes and operators read it.
 */
@Controller('health')
export class HealthController {
  constructor(
    @Inject(HealthCheckService) private readonly health: HealthCheckService,
    @Inject(ReadinessIndicators) private readonly readiness: ReadinessIndicators,
  ) {}

  @Get('live')
  async live(@Res() reply: FastifyReply): Promise<void> {
    await this.report(reply, () => this.health.check([]));
  }

  @Get('ready')
  async ready(@Res() reply: FastifyReply): Promise<void> {
    await this.report(reply, () =>
      this.health.check([() => this.readiness.shutdown(), () => this.readiness.loadedConfig(), () => this.readiness.responseCache()]),
    );
  }

  private async report(reply: FastifyReply, check: () => Promise<object>): Promise<void> {
    try {
      await reply.send(await check());
    } catch (error) {
      if (!(error instanceof ServiceUnavailableException)) throw error;
      await reply.code(503).send(error.getResponse());
    }
  }
}
