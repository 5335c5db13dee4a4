import { Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { ConnectorHub } from '@llm-connector-hub/hub';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { GATEWAY_CONFIG } from '../config/config.tokens';
import { createProvider } from './provider.factory';

/** Wires the embeddable ConnectorHub from the config: one instance per process. */
@Global()
@Module({
  providers: [
    {
      provide: ConnectorHub,
      inject: [GATEWAY_CONFIG],
      useFactory: (config: GatewayConfig) => {
        const hub = new ConnectorHub({
          aliases: config.routing.aliases,
          defaultProvider: config.routing.defaultProvider,
          defaultTimeoutMs: config.timeouts.defaultMs,
          maxTimeoutMs: config.timeouts.maxMs,
        });
        for (const [name, provider] of Object.entries(config.providers)) hub.registerProvider(name, createProvider(name, provider));
        return hub;
      },
    },
  ],
  exports: [ConnectorHub],
})
export class HubModule implements OnApplicationShutdown {
  constructor(@Inject(ConnectorHub) private readonly hub: ConnectorHub) {}

  async onApplicationShutdown(): Promise<void> {
    await this.hub.close();
  }
}
