import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectorHub } from '@llm-connector-hub/hub';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { ResilienceEvents } from '@llm-connector-hub/resilience';
import { GATEWAY_CONFIG } from '../config/config.tokens';
import { installResilience } from '../resilience/resilience-pipeline';
import { logResilienceEvents } from '../resilience/resilience-log.listener';
import { jsonLog } from '../common/json-log';
import { createProvider } from './provider.factory';

/** Wires the embeddable ConnectorHub from the config: one instance per process. */
@Global()
@Module({
  providers: [
    { provide: ResilienceEvents, useFactory: () => new ResilienceEvents() },
    {
      provide: ConnectorHub,
      inject: [GATEWAY_CONFIG, ResilienceEvents],
      useFactory: (config: GatewayConfig, events: ResilienceEvents) => {
        const hub = new ConnectorHub({
          aliases: config.routing.aliases,
          defaultProvider: config.routing.defaultProvider,
          defaultTimeoutMs: config.timeouts.defaultMs,
          maxTimeoutMs: config.timeouts.maxMs,
        });
        for (const [name, provider] of Object.entries(config.providers)) hub.registerProvider(name, createProvider(name, provider));
        installResilience(hub, config, events);
        if (config.server.logLevel !== 'silent') logResilienceEvents(events, jsonLog, config.server.logLevel === 'debug');
        return hub;
      },
    },
  ],
  exports: [ConnectorHub, ResilienceEvents],
})
export class HubModule implements OnApplicationShutdown {
  constructor(@Inject(ConnectorHub) private readonly hub: ConnectorHub) {}

  async onApplicationShutdown(): Promise<void> {
    await this.hub.close();
  }
}
