import { Controller, Get, Inject, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { RequestTracker } from '../lifecycle/request-tracker';

/** Liveness (the process answers) and readiness (not draining). Open without a gateway key. */
@Controller('health')
export class HealthController {
  constructor(@Inject(RequestTracker) private readonly tracker: RequestTracker) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('ready')
  ready(@Res() reply: FastifyReply): void {
    if (this.tracker.draining) {
      void reply.code(503).send({ status: 'draining', inFlight: this.tracker.inFlight });
      return;
    }
    void reply.send({ status: 'ok', inFlight: this.tracker.inFlight });
  }
}
