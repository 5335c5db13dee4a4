import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { LogLevel } from '@nestjs/common';
import { ConfigError, type GatewayConfig } from '@llm-connector-hub/config';
import { loadHubConfig, maskConfigSecrets } from '@llm-connector-hub/assembly';
import { AppModule } from './app.module';
import { OpenAIExceptionFilter } from './common/openai-exception.filter';
import { answerFrameworkError, installRequestHooks } from './common/request-hooks';
import { answerClientError } from './common/client-errors';
import { installGracefulShutdown } from './lifecycle/graceful-shutdown';
import { REQUEST_ID_HEADER } from './common/headers';
import { Logger as NestPinoLogger } from 'nestjs-pino';
import { createRootLogger } from './observability/root-logger';
import { RequestObserver } from './observability/request-observer';
import { ModelRoutes } from './model-routes/model-routes';

const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The client's x-request-id when it is sane, else a fresh UUID. */
function requestId(request: IncomingMessage): string {
  const header = request.headers[REQUEST_ID_HEADER];
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}


/**
 * How often Node looks for requests past their headers or request timeout: a timeout fires up
 * to this much late (Node's default, 30 s, would double a 30 s request timeout).
 */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

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
    config = loadHubConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const root = createRootLogger(config.server.logLevel);
  const logger = root.logger;
  const adapter = new FastifyAdapter({
    bodyLimit: config.server.bodyLimitBytes,
    genReqId: requestId,
    logger: false,
    // Our own readiness and 503s (in OpenAI's shape) handle the drain; see graceful-shutdown.ts.
    return503OnClosing: false,
    keepAliveTimeout: 65_000,
    // Slow or stalled clients: headers, then the whole request, must arrive in time (408).
    requestTimeout: config.server.requestTimeoutMs,
    http: { headersTimeout: config.server.headersTimeoutMs, connectionsCheckingInterval: CONNECTIONS_CHECKING_INTERVAL_MS },
    frameworkErrors: answerFrameworkError,
    clientErrorHandler: answerClientError,
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, root), adapter, {
    logger: NEST_LEVELS[config.server.logLevel],
    bufferLogs: true,
    // Fastify's own JSON parser (no urlencoded parser: only JSON bodies are accepted).
    bodyParser: false,
  });
  // Nest's own messages as pino JSON lines (see ObservabilityModule for their level).
  app.useLogger(app.get(NestPinoLogger));
  app.useGlobalFilters(new OpenAIExceptionFilter());
  const fastify = app.getHttpAdapter().getInstance();
  installRequestHooks(fastify);
  app.get(RequestObserver).install(fastify);
  app.get(ModelRoutes).install(fastify);
  installGracefulShutdown(app, config.server.drainTimeoutMs, (msg, extra) => logger.info(extra, msg));
  // Beyond this, Node closes new connections at once: the open-file budget stays for upstream sockets.
  app.getHttpServer().maxConnections = config.server.maxConnections;
  await app.listen({ port: config.server.port, host: config.server.host, backlog: config.server.listenBacklog });
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address ? address.port : config.server.port;
  logger.info(
    {
      port,
      host: config.server.host,
      providers: Object.keys(config.providers),
      config: config.server.logLevel === 'debug' ? maskConfigSecrets(config) : undefined,
    },
    'listening',
  );
  logger.flush();
}

void bootstrap();
