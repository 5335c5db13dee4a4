import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import type { Logger } from 'pino';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { GATEWAY_CONFIG } from './config/config.tokens';
import { HubModule } from './hub/hub.module';
import { ChatCompletionsController } from './chat/chat-completions.controller';
import { CompletionResponder } from './chat/completion-responder';
import { HubApiController } from './hub-api/hub-api.controller';
import { EmbeddingsController } from './embeddings/embeddings.controller';
import { ModelsController } from './models/models.controller';
import { HealthController } from './health/health.controller';
import { RequestTracker } from './lifecycle/request-tracker';
import { ApiKeyGuard } from './common/api-key.guard';
import { ObservabilityModule } from './observability/observability.module';
import { ReadinessIndicators } from './health/readiness.indicators';
import { CacheHitFastPath } from './cache/cache-hit-fast-path';

/** The gateway: thin controllers over the hub; the config is loaded before Nest starts. */
@Module({})
export class AppModule {
  static forRoot(config: GatewayConfig, logger: Logger): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [HubModule, ObservabilityModule.forRoot(config, logger), TerminusModule.forRoot({ logger: false })],
      controllers: [ChatCompletionsController, HubApiController, EmbeddingsController, ModelsController, HealthController],
      providers: [{ provide: GATEWAY_CONFIG, useValue: config }, CompletionResponder, RequestTracker, ApiKeyGuard, ReadinessIndicators, CacheHitFastPath],
      exports: [GATEWAY_CONFIG, RequestTracker],
    };
  }
}
