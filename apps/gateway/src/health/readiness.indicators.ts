import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService, type HealthIndicatorResult } from '@nestjs/terminus';
import { CacheMiddleware } from '@llm-connector-hub/cache';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { GATEWAY_CONFIG } from '../config/config.tokens';
import { RequestTracker } from '../lifecycle/request-tracker';

/**
 * What readiness checks, as terminus indicators:
 * - `shutdown`: down while draining after SIGTERM, so the Service stops sending new work;
 * - `config`: the config was loaded and validated (always up once the process serves: a bad
 *   config stops start-up), with the number of providers;
 * - `cache`: up with `state` ok, degraded (Redis unreachable or slow; the cache fails open, so
 *   the replica still serves every request and stays ready) or disabled.
 */
@Injectable()
export class ReadinessIndicators {
  constructor(
    @Inject(HealthIndicatorService) private readonly indicators: HealthIndicatorService,
    @Inject(RequestTracker) private readonly tracker: RequestTracker,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(CacheMiddleware) private readonly cache: CacheMiddleware | null,
  ) {}

  shutdown(): HealthIndicatorResult {
    const session = this.indicators.check('shutdown');
    return this.tracker.draining ? session.down({ draining: true, inFlight: this.tracker.inFlight }) : session.up({ inFlight: this.tracker.inFlight });
  }

  loadedConfig(): HealthIndicatorResult {
    return this.indicators.check('config').up({ providers: Object.keys(this.config.providers).length });
  }

  async responseCache(): Promise<HealthIndicatorResult> {
    const session = this.indicators.check('cache');
    if (!this.cache) return session.up({ state: 'disabled' });
    return session.up({ type: this.config.cache.type, state: await this.cache.checkHealth() });
  }
}
