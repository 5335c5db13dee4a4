import { performance } from 'node:perf_hooks';
import { Inject, Injectable } from '@nestjs/common';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { formatRequestLine } from './request-log-line';
import type { GatewayConfig } from '@llm-connector-hub/config';
import type { HubCallMeta } from '@llm-connector-hub/hub';
import { CostCalculator, GatewayMetrics } from '@llm-connector-hub/observability';
import { GATEWAY_CONFIG } from '../config/config.tokens';
import { LOG_DESTINATION, ROOT_LOGGER } from './observability.tokens';
import { RequestRecord } from './request-record';

/** A client that left before its answer was complete (nginx's convention). */
const CLIENT_CLOSED = 499;

/**
 * Accounts for every API request when its response closes: the request metrics and one JSON log
 * line (request id, route, provider, model, status, latency, tokens, cost, cache result).
 *
 * The line goes to the root logger's destination (injected: the stream made with the logger, see
 * root-logger.ts) in pino's own format, built by formatRequestLine (a fixed shape, cheaper than
 * pino's generic path on the hot path).
 *
 * Written here rather than with pino-http's auto-logging because the line needs what only the
 * end of the request knows (who served after fallbacks, usage from a stream's last chunk, cost),
 * and because SSE responses are hijacked from Fastify, so its onResponse hook never sees them;
 * the raw response's 'close' event sees both. One listener per request, no child logger.
 */
@Injectable()
export class RequestObserver {
  private readonly logRequests: boolean;
  private readonly logContent: boolean;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    @Inject(ROOT_LOGGER) logger: Logger,
    /** The root logger's own destination: request lines go there in pino's format (see request-log-line.ts). */
    @Inject(LOG_DESTINATION) private readonly stream: DestinationStream,
    @Inject(CostCalculator) private readonly costs: CostCalculator,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics | null,
  ) {
    this.logRequests = config.observability.requestLog.enabled && logger.isLevelEnabled('info');
    this.logContent = this.logRequests && config.observability.requestLog.content;
  }

  install(fastify: FastifyInstance): void {
    if (!this.metrics && !this.logRequests) return;
    fastify.addHook('onRequest', (request, reply, done) => {
      const url = request.url;
      if (url.startsWith('/v1/') || url.startsWith('/api/')) {
        const record = new RequestRecord();
        request.record = record;
        this.metrics?.inFlight(1);
        reply.raw.once('close', () => this.finished(request, reply, record));
      }
      done();
    });
  }

  /**
   * What a finished call cost the caller in USD: its upstream cost, 0 for a cache hit (whose
   * would-be cost goes on the record as saved), undefined without usage or a price. Also noted
   * on the record, when there is one, for the metrics and the log line.
   */
  account(record: RequestRecord | undefined, meta: HubCallMeta): number | undefined {
    if (!meta.usage || !meta.provider || !meta.model) return undefined;
    const cost = this.costs.costOf(meta.provider, meta.model, meta.usage);
    const charged = meta.cache === 'HIT' ? 0 : cost;
    if (record) {
      record.costUsd = charged;
      if (meta.cache === 'HIT') record.savedUsd = cost;
    }
    return charged;
  }

  /** Notes a model call on the request's record: its hub meta (filled as the call goes), kind and, with content logging, the prompt. */
  observeCall(record: RequestRecord | undefined, meta: HubCallMeta, stream: boolean, messages?: unknown): void {
    if (!record) return;
    record.meta = meta;
    record.stream = stream;
    if (this.logContent && messages !== undefined) record.content = { messages };
  }

  private finished(request: FastifyRequest, reply: FastifyReply, record: RequestRecord): void {
    const raw = reply.raw;
    const durationMs = performance.now() - record.startedAt;
    const status = raw.writableFinished ? raw.statusCode : CLIENT_CLOSED;
    const meta = record.meta;
    if (meta && record.costUsd === undefined && record.savedUsd === undefined) this.account(record, meta);
    // GatewayMetrics maps these onto bounded label values (unknown -> other, none -> none).
    const provider = meta?.provider;
    const model = meta?.model;
    const route = request.routeOptions.url ?? 'unmatched';
    const cache = meta?.cache ?? 'BYPASS';
    const metrics = this.metrics;
    if (metrics) {
      metrics.inFlight(-1);
      metrics.requestFinished({
        route,
        provider,
        model,
        statusCode: status,
        cache,
        stream: record.stream,
        durationSeconds: durationMs / 1000,
        upstreamSeconds: (meta?.upstreamMs ?? 0) / 1000,
      });
      if (provider && model) {
        if (record.firstChunkAt !== undefined) metrics.firstToken(provider, model, (record.firstChunkAt - record.startedAt) / 1000);
        // An unknown price is left out of the cost counter, never counted as free.
        if (meta?.usage && cache !== 'HIT') metrics.usage(provider, model, meta.usage.prompt_tokens, meta.usage.completion_tokens, record.costUsd);
        if (record.savedUsd) metrics.cacheSaved(provider, model, record.savedUsd);
      }
    }
    if (this.logRequests) this.log(request, record, status, durationMs, route, cache);
  }

  private log(request: FastifyRequest, record: RequestRecord, status: number, durationMs: number, route: string, cache: string): void {
    const meta = record.meta;
    const content = record.content;
    this.stream.write(
      formatRequestLine(
        {
          requestId: request.id,
          method: request.method,
          route,
          status,
          latencyMs: round(durationMs),
          provider: meta?.provider,
          model: meta?.model,
          target: meta?.target,
          attempts: meta?.attempts,
          cache,
          stream: record.stream,
          upstreamMs: meta?.upstreamMs === undefined ? undefined : round(meta.upstreamMs),
          firstChunkMs: record.firstChunkAt === undefined ? undefined : round(record.firstChunkAt - record.startedAt),
          promptTokens: meta?.usage?.prompt_tokens,
          completionTokens: meta?.usage?.completion_tokens,
          costUsd: record.costUsd,
          savedUsd: record.savedUsd,
          messages: content?.messages,
          answer: content?.answer,
        },
        Date.now(),
      ),
    );
  }
}

function round(ms: number): number {
  return Math.round(ms * 10) / 10;
}
