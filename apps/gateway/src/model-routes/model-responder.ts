import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConnectorHub, type HubCallMeta, type HubEmbeddingRequest, type HubRequest } from '@llm-connector-hub/hub';
import type { ChatCompletionChunk, NativeRequest } from '@llm-connector-hub/core';
import { GatewayMetrics } from '@llm-connector-hub/observability';
import { RequestTracker } from '../lifecycle/request-tracker';
import { COST_HEADER, costHeaderValue, failureHeaders, servedHeaders } from '../common/headers';
import { cacheDirectives } from '../common/cache-directives';
import { applyTimeoutHeader } from '../common/timeout-header';
import { writeSseStream } from '../chat/sse-writer';
import { RequestObserver } from '../observability/request-observer';
import type { RequestRecord } from '../observability/request-record';
import type { ResponseShape } from './response-shapes';

/** What the hub gets for one call from the gateway. */
interface CallOptions {
  signal: AbortSignal;
  requestId: string;
  meta: HubCallMeta;
  tenant: string | undefined;
  cache: ReturnType<typeof cacheDirectives>;
  native?: NativeRequest;
}

/**
 * Runs one model call through the hub and answers it: chat as JSON or SSE, embeddings as JSON.
 * Every model route answers through here, so each call has the same lifecycle: tracked (a call
 * arriving during a drain is answered too, see graceful-shutdown.ts), its signal aborted when the client leaves or a drain runs out (RequestTracker),
 * the served-by and cache headers, what a failure still says (attempts, cache), and the cost.
 */
@Injectable()
export class ModelResponder {
  private readonly logger = new Logger('ModelResponder');

  constructor(
    @Inject(ConnectorHub) private readonly hub: ConnectorHub,
    @Inject(RequestTracker) private readonly tracker: RequestTracker,
    @Inject(RequestObserver) private readonly observer: RequestObserver,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics | null,
  ) {}

  /** `native`: the client's request in the route's own dialect, for a provider that takes it as it came (HubCallOptions.native). */
  async chat(request: FastifyRequest, reply: FastifyReply, body: HubRequest, shape: ResponseShape, native?: NativeRequest): Promise<void> {
    const options = this.begin(request, reply, body);
    if (native) options.native = native;
    const record = request.record;
    this.observer.observeCall(record, options.meta, body.stream === true, body.messages);
    try {
      if (body.stream) {
        await this.stream(request, reply, body, options, record, shape);
        return;
      }
      const completion = await this.hub.complete(body, options);
      if (record?.content) record.content.answer = completion.choices.map((choice) => choice.message);
      this.sendJson(reply, await shape.json(completion, options.meta), options.meta, record);
    } catch (error) {
      this.failed(reply, options.meta);
      throw error;
    }
  }

  /** Whether a target of `model` takes requests in `dialect` as they came (ConnectorHub.takesNatively). */
  takesNatively(model: string, dialect: string): boolean {
    return this.hub.takesNatively(model, dialect);
  }

  async embed(request: FastifyRequest, reply: FastifyReply, body: HubEmbeddingRequest): Promise<void> {
    const options = this.begin(request, reply, body);
    this.observer.observeCall(request.record, options.meta, false);
    try {
      this.sendJson(reply, await this.hub.embed(body, options), options.meta, request.record);
    } catch (error) {
      this.failed(reply, options.meta);
      throw error;
    }
  }

  /** What every call needs before the hub sees it; throws the 400 a request gets instead. */
  private begin(request: FastifyRequest, reply: FastifyReply, body: { timeout?: number }): CallOptions {
    applyTimeoutHeader(request, body);
    const cache = cacheDirectives(request);
    const meta: HubCallMeta = {};
    request.hubMeta = meta;
    return { signal: this.tracker.track(reply.raw), requestId: request.id, meta, tenant: request.tenant, cache };
  }

  private sendJson(reply: FastifyReply, body: unknown, meta: HubCallMeta, record: RequestRecord | undefined): void {
    reply.headers(servedHeaders(meta));
    const cost = this.observer.account(record, meta);
    if (cost !== undefined) reply.header(COST_HEADER, costHeaderValue(cost));
    void reply.send(body);
  }

  /** Even a failure says how hard the gateway tried (retries, fallbacks) and what the cache did. */
  private failed(reply: FastifyReply, meta: HubCallMeta): void {
    if (!reply.sent) reply.headers(failureHeaders(meta));
  }

  private async stream(
    request: FastifyRequest,
    reply: FastifyReply,
    body: HubRequest,
    options: CallOptions,
    record: RequestRecord | undefined,
    shape: ResponseShape,
  ): Promise<void> {
    const streamed = this.hub.streamComplete(body, options);
    const iterator = record?.content ? withAnswerLogged(streamed, record.content) : streamed;
    // Wait for the first chunk before committing to 200: an upstream that fails first
    // (401, 429, unknown model...) is answered with its real status as JSON.
    const first = await iterator.next();
    // Trailers need chunked framing, which HTTP/1.0 lacks (Node refuses a Trailer header then).
    const chunked = request.raw.httpVersionMajor > 1 || (request.raw.httpVersionMajor === 1 && request.raw.httpVersionMinor >= 1);
    try {
      // No `connection` header of ours: Node's own honours a client's `Connection: close` and HTTP/1.0.
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        'x-accel-buffering': 'no',
        'x-request-id': request.id,
        // The cost is known only once the usage chunk has passed: it comes as a trailer.
        ...(chunked ? { trailer: COST_HEADER } : {}),
        ...servedHeaders(options.meta),
      });
    } catch (error) {
      // Nothing was sent: the error is answered as JSON, and the upstream stream is closed.
      await iterator.return?.(undefined);
      throw error;
    }
    // Only once the head is out does Fastify leave the response to us.
    reply.hijack();
    if (record) record.firstChunkAt = performance.now();
    this.metrics?.openStreams(1);
    try {
      await writeSseStream(reply.raw, first, iterator, {
        includeUsage: body.stream_options?.include_usage === true,
        encoding: shape.stream?.(options.meta),
        signal: options.signal,
        onError: (error) => this.logger.warn(`stream ${request.id} ended with an error: ${(error as Error).message}`),
        beforeEnd: (response) => {
          const cost = this.observer.account(record, options.meta);
          if (cost !== undefined && chunked && !response.destroyed) response.addTrailers({ [COST_HEADER]: costHeaderValue(cost) });
        },
      });
    } finally {
      this.metrics?.openStreams(-1);
    }
  }
}

/**
 * Longest streamed answer kept for the request log (content logging only): a stream has no size
 * of its own, and the log line must not grow with it.
 */
const MAX_LOGGED_ANSWER_CHARS = 1024 * 1024;

/** Passes chunks through, collecting the answer's text for the request log (content logging only), up to a bound. */
async function* withAnswerLogged(chunks: AsyncIterable<ChatCompletionChunk>, content: NonNullable<RequestRecord['content']>): AsyncGenerator<ChatCompletionChunk> {
  let answer = '';
  let cut = false;
  try {
    for await (const chunk of chunks) {
      if (!cut) {
        answer += chunk.choices[0]?.delta.content ?? '';
        if (answer.length > MAX_LOGGED_ANSWER_CHARS) {
          answer = `${answer.slice(0, MAX_LOGGED_ANSWER_CHARS)}… (cut)`;
          cut = true;
        }
      }
      yield chunk;
    }
  } finally {
    content.answer = answer;
  }
}
