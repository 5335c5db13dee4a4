import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type DynamicModule, Global, Inject, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import type { Logger } from 'pino';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { CacheEvents } from '@llm-connector-hub/cache';
import { ResilienceEvents } from '@llm-connector-hub/resilience';
import {
  CostCalculator,
  GatewayMetrics,
  LabelPolicy,
  exportCacheEvents,
  exportResilienceEvents,
  readResourceLimits,
} from '@llm-connector-hub/observability';
import { GATEWAY_CONFIG } from '../config/config.tokens';
import { knownLabels } from './known-labels';
import { MetricsServer } from './metrics-server';
import { LOG_DESTINATION, ROOT_LOGGER } from './observability.tokens';
import { RequestObserver } from './request-observer';
import type { RootLogger } from './root-logger';

/**
 * Metrics (GatewayMetrics and prom-client's default process metrics, served by MetricsServer on
 * the metrics port, never on the API's), the pino logger for Nest's own messages (nestjs-pino),
 * cost accounting and the per-request observer. With `observability.metrics.enabled: false` there
 * is no metrics listener and GatewayMetrics is null: nothing is measured.
 */
@Global()
@Module({})
export class ObservabilityModule implements OnApplicationBootstrap, OnApplicationShutdown {
  static forRoot(config: GatewayConfig, root: RootLogger): DynamicModule {
    const logger = root.logger;
    const metricsEnabled = config.observability.metrics.enabled;
    return {
      module: ObservabilityModule,
      imports: [
        // nestjs-pino for Nest's logger only. Its per-request middleware (a pino-http child logger
        // and an AsyncLocalStorage scope per request) is applied to no route: RequestObserver
        // writes the request lines (see request-observer.ts for why), and with any Nest middleware
        // at all, @fastify/middie matches every request's path against it, a cost on every
        // request (docs/benchmarks.md). Nest's messages then go to the root logger.
        // Nest's start-up chatter ("Mapped {/v1/models, GET} route"...) comes at info: below debug,
        // only Nest's warnings and errors are written.
        LoggerModule.forRoot({
          pinoHttp: { logger: logger.child({}, { level: logger.level === 'debug' ? 'debug' : logger.level === 'info' ? 'warn' : logger.level }), autoLogging: false },
          forRoutes: [],
        }),
      ],
      providers: [
        { provide: ROOT_LOGGER, useValue: logger },
        { provide: LOG_DESTINATION, useValue: root.destination },
        { provide: CostCalculator, useFactory: () => new CostCalculator(config.observability.pricing) },
        {
          provide: GatewayMetrics,
          useFactory: () => (metricsEnabled ? new GatewayMetrics({ registry: register, labels: new LabelPolicy(knownLabels(config)) }) : null),
        },
        RequestObserver,
      ],
      exports: [ROOT_LOGGER, CostCalculator, GatewayMetrics, RequestObserver],
    };
  }

  private metricsServer: MetricsServer | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(ROOT_LOGGER) private readonly logger: Logger,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics | null,
    @Inject(ResilienceEvents) private readonly resilienceEvents: ResilienceEvents,
    @Inject(CacheEvents) private readonly cacheEvents: CacheEvents,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const metrics = this.metrics;
    if (!metrics) return;
    collectDefaultMetrics({ register });
    // prom-client's default metrics include three gauges named like counters, which
    // `promtool check metrics` rejects (prometheus/client_js#283). Each is the sum of a by-type
    // gauge that stays (nodejs_active_handles{type}, ...), so nothing is lost.
    for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) register.removeSingleMetric(name);
    exportResilienceEvents(this.resilienceEvents, metrics);
    exportCacheEvents(this.cacheEvents, metrics);
    const limits = readResourceLimits(process.env);
    metrics.memoryLimit(limits.memoryBytes);
    metrics.cpuLimit(limits.cpuCores);
    metrics.buildInfo(version());
    await this.listen(metrics);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.metricsServer?.close();
  }

  private async listen(metrics: GatewayMetrics): Promise<void> {
    const { port, token, maxConnections, requestTimeoutMs } = this.config.observability.metrics;
    const host = this.config.server.host;
    this.metricsServer = new MetricsServer({
      host,
      port,
      token,
      maxConnections,
      requestTimeoutMs,
      exposition: () => metrics.exposition(),
      contentType: metrics.contentType,
      onError: (error) => this.logger.error({ err: error }, 'metrics exposition failed'),
    });
    const bound = await this.metricsServer.listen();
    this.logger.info({ port: bound, host, token: token !== undefined }, 'metrics listening');
  }
}

/** The gateway's version from its package.json, found by walking up (the depth differs in dist/). Startup only. */
function version(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'llm-connector-hub') return pkg.version ?? 'unknown';
    } catch {
      // no package.json here: keep walking up
    }
  }
  return 'unknown';
}
