import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import { ConfigError, loadConfig, maskSecrets, type GatewayConfig } from '@llm-connector-hub/config';
import { AppModule } from './app.module';
import { OpenAIExceptionFilter } from './common/openai-exception.filter';
import { installRequestHooks } from './common/request-hooks';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown';
import { REQUEST_ID_HEADER } from './common/headers';
import { jsonLog as log } from './common/json-log';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's x-request-id when it is sane, else a fresh UUID. */
function requestId(request: IncomingMessage): string {
  const header = request.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}


const NEST_LEVELS: Record<GatewayConfig['server']['logLevel'], LogLevel[]> = {
  debug: ['error', 'warn', 'log', 'debug'],
  info: ['error', 'warn'],
  warn: ['error', 'warn'],
  error: ['error'],
  silent: [],
};

async function bootstrap(): Promise<void> {
  let config: GatewayConfig;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimitBytes,
    genReqId: requestId,
    logger: false,
    // Our own readiness and 503s (in OpenAI's shape) handle the drain; see graceful-shutdown.ts.
    return503OnClosing: false,
    keepAliveTimeout: 65_000,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    logger: NEST_LEVELS[config.server.logLevel],
    // Fastify's own JSON parser (no urlencoded parser: only JSON bodies are accepted).
    bodyParser: false,
  });
  app.useGlobalFilters(new OpenAIExceptionFilter());
  installRequestHooks(app.getHttpAdapter().getInstance());
  installGracefulShutdown(app, config.server.drainTimeoutMs, (msg, extra) => log('info', msg, extra));
  await app.listen(config.server.port, config.server.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  log('info', 'listening', {
    port,
    host: config.server.host,
    providers: Object.keys(config.providers),
    config: config.server.logLevel === 'debug' ? maskSecrets(config) : undefined,
  });
}

void bootstrap();
