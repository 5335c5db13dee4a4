import type { ServerResponse } from 'node:http';
import type { ChatCompletionChunk, HubError } from '@llm-connector-hub/core';
import { SSE_DONE, isHubError, sseData, toOpenAIErrorBody } from '@llm-connector-hub/core';
import { GatewayErrors } from '../common/gateway-errors';

/** How a route's dialect frames a stream: the frames for each chunk (may be ''), a clean end, and a failure after the head. */
export interface StreamEncoding {
  chunk(chunk: ChatCompletionChunk): string;
  /** May wait, e.g. to store the answer before the client can refer to it (the Responses API). */
  end(): string | Promise<string>;
  error(error: HubError): string;
}

/** OpenAI's Chat Completions stream: each chunk as a `data:` line, `[DONE]` at the end, the error body in OpenAI's shape. */
function openAIEncoding(includeUsage: boolean): StreamEncoding {
  return {
    chunk: (chunk) => (!includeUsage && chunk.choices.length === 0 ? '' : sseData(chunk)),
    end: () => SSE_DONE,
    error: (error) => sseData(toOpenAIErrorBody(error)),
  };
}

export interface SseWriteOptions {
  /** Forward usage-only chunks (`stream_options.include_usage`), in OpenAI's encoding. */
  includeUsage: boolean;
  /** The route's own encoding (another dialect); OpenAI's chunks when absent. */
  encoding?: StreamEncoding;
  /** Aborted when the client has gone: stop writing. */
  signal: AbortSignal;
  /** Called with an error that ended the stream after its first byte (for logging). */
  onError?: (error: unknown) => void;
  /** Called just before the response ends, whatever the outcome (e.g. to add trailers). */
  beforeEnd?: (response: ServerResponse) => void;
}

/**
 * Forwards chunks as they arrive, never buffering the whole answer, and waits for 'drain' when
 * the client reads slower than the provider writes (backpressure reaches the upstream socket,
 * since we stop pulling). A failure after the first byte ends the stream with an error event in
 * the route's shape (OpenAI's by default) and no `[DONE]`, so it never looks like a clean finish.
 */
export async function writeSseStream(
  response: ServerResponse,
  first: IteratorResult<ChatCompletionChunk>,
  rest: AsyncIterator<ChatCompletionChunk>,
  options: SseWriteOptions,
): Promise<void> {
  const { signal } = options;
  const encoding = options.encoding ?? openAIEncoding(options.includeUsage);
  let finished = false;
  try {
    for (let result = first; !result.done; result = await rest.next()) {
      if (signal.aborted) {
        // A shutdown aborts with a HubError the client must see (else the stream looks finished);
        // a client that left gets nothing more.
        if (isHubError(signal.reason)) throw signal.reason;
        return;
      }
      const frames = encoding.chunk(result.value);
      if (frames.length > 0 && !response.write(frames)) await drained(response, signal);
    }
    finished = true;
    const end = await encoding.end();
    if (!signal.aborted) response.write(end);
  } catch (error) {
    // A client that left gets nothing more; anything else (timeout, shutdown, upstream failure)
    // is reported in-band, since the 200 status is already sent.
    if (isHubError(error) && error.code === 'client_closed_request') return;
    options.onError?.(error);
    const frames = encoding.error(isHubError(error) ? error : GatewayErrors.internal('stream'));
    if (!response.destroyed && !response.writableEnded) response.write(frames);
  } finally {
    if (!finished) await rest.return?.(undefined).catch(() => undefined);
    options.beforeEnd?.(response);
    response.end();
  }
}

function drained(response: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      response.off('drain', done);
      response.off('close', done);
      signal.removeEventListener('abort', done);
      resolve();
    };
    response.once('drain', done);
    response.once('close', done);
    signal.addEventListener('abort', done, { once: true });
  });
}
