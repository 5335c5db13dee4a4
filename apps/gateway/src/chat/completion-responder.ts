import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ConnectorHub, type HubCallMeta, type HubCallOptions, type HubRequest } from '@llm-connector-hub/hub';
import { RequestTracker } from '../lifecycle/request-tracker';
import { failureHeaders, servedHeaders } from '../common/headers';
import { sendCompletion, type ResponseShape } from './completion-reply';
import { cacheDirectives } from '../common/cache-directives';
import { applyTimeoutHeader } from '../common/timeout-header';
import { writeSseStream } from './sse-writer';
import { GatewayMetrics } from '@llm-connector-hub/observability';
import type { ChatCompletionChunk } from '@llm-connector-hub/core';
import { RequestObserver } from '../observability/request-observer';
import type { RequestRecord } from '../observability/request-record';
import { COST_HEADER, costHeaderValue } from '../common/headers';

/**
 * Runs one chat call through the hub and answers it as JSON or SSE. Owns the request's
 * AbortController: a client that disconnects, or a shutdown past its drain time, cancels the
 * upstream call.
 */
@Injectable()
export class CompletionResponder {
  private readonly logger = new Logger('CompletionResponder');

  constructor(
    @Inject(ConnectorHub) private readonly hub: ConnectorHub,
    @Inject(RequestTracker) private readonly tracker: RequestTracker,
    @Inject(RequestObserver) private readonly observer: RequestObserver,
    @Inject(GatewayMetrics) private readonly metrics: GatewayMetrics | null,
  ) {}

  /** `state`: the hub's scratch from an earlier completeSync of this same body (see HubCallOptions.state). */
  async respond(request: FastifyRequest, reply: FastifyReply, body: HubRequest, shape: ResponseShape, state?: Map<string, unknown>): Promise<void> {
    applyTimeoutHeader(request, body);
    const cache = cacheDirectives(request);
    const controller = new AbortController();
    const raw = reply.raw;
    this.tracker.track(controller, raw);
    const onClose = () => {
      if (!raw.writableFinished) controller.abort(new DOMException('client closed the connection', 'AbortError'));
    };
    raw.once('close', onClose);
    const meta: HubCallMeta = {};
    request.hubMeta = meta;
    const record = request.record;
    this.observer.observeCall(record, body, meta);
    const options = { signal: controller.signal, requestId: request.id, meta, tenant: request.tenant, cache, state };
    try {
      if (body.stream) await this.stream(request, reply, body, options, record);
      else await sendCompletion(reply, await this.hub.complete(body, options), meta, this.observer, record, shape);
    } catch (error) {
      // Even a failure says how hard the gateway tried (retries, fallbacks).
      if (!reply.sent) reply.headers(failureHeaders(meta));
      throw error;
    } finally {
      raw.off('close', onClose);
    }
  }

  private async stream(
    request: FastifyRequest,
    reply: FastifyReply,
    body: HubRequest,
    options: HubCallOptions & { signal: AbortSignal; meta: HubCallMeta },
    record: RequestRecord | undefined,
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
async function* withAnswerLogged(chunks: AsyncGenerator<ChatCompletionChunk>, content: NonNullable<RequestRecord['content']>): AsyncGenerator<ChatCompletionChunk> {
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
