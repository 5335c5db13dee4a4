import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { GATEWAY_CONFIG } from './config/config.tokens';
import { HubModule } from './hub/hub.module';
import { ModelsController } from './models/models.controller';
import { HealthController } from './health/health.controller';
import { RequestTracker } from './lifecycle/request-tracker';
import { ApiKeyGuard } from './common/api-key.guard';
import { ObservabilityModule } from './observability/observability.module';
import type { RootLogger } from './observability/root-logger';
import { ReadinessIndicators } from './health/readiness.indicators';
import { ModelResponder } from './model-routes/model-responder';
import { ModelRoutes } from './model-routes/model-routes';
import { ResponseStore } from './model-routes/responses/response-store';

/**
 * The gateway: DI, lifecycle, health, /v1/models; the model routes are plain Fastify routes
 * (ModelRoutes, installed by main.ts). The config is loaded before Nest starts.
 */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, logger: RootLogger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [HubModule, ObservabilityModule.forRoot(config, logger), TerminusModule.forRoot({ logger: false })],
      controllers: [ModelsController, HealthController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, ModelResponder, ModelRoutes, ResponseStore, RequestTracker, ApiKeyGuard, ReadinessIndicators],
      exports: [GATEWAY_CONFIG, RequestTracker],
    };
  }
}
