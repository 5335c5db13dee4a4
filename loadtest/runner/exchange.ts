/**
 * One request of an iteration and what came back, read as k6 reads it (answer.ts), plus what k6
 * cannot see as it happens: the time to the first content token of a stream, read event by event
 * with the gateway's own SSE parser.
 */
import { performance } from 'node:perf_hooks';
import { parseSse } from '@llm-connector-hub/core';
import type { Dispatcher } from 'undici';
import { deltaContent, jsonAnswer, streamAnswer, type Answer } from '../scenarios/answer';
import type { ChatRequest } from '../scenarios/chat';

export interface Exchange {
  answer: Answer;
  /** From sending to the end of the answer; undefined when no answer came (transport error). */
  durationMs: number | undefined;
  /** Streams: from sending to the first event with content. */
  ttftMs: number | undefined;
  /** What failed when no answer came: `timeout`, or undici's error code. */
  transportError: string | undefined;
  /** The run was stopped while this request was in flight: it is left out of the metrics, as k6 does. */
  interrupted: boolean;
}

const CACHE_HEADER = 'x-llm-hub-cache';

function header(headers: Record<string, string | string[] | undefined>, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export async function exchange(dispatcher: Dispatcher, request: ChatRequest, timeoutMs: number, stop: AbortSignal): Promise<Exchange> {
  const url = new URL(request.url);
  const timeout = AbortSignal.timeout(timeoutMs);
  const started = performance.now();
  let ttftMs: number | undefined;
  try {
    const response = await dispatcher.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.any([stop, timeout]),
    });
    const cache = header(response.headers, CACHE_HEADER);
    const isStream = (header(response.headers, 'content-type') ?? '').startsWith('text/event-stream');
    let answer: Answer;
    if (isStream) {
      const events: string[] = [];
      for await (const event of parseSse(response.body)) {
        if (ttftMs === undefined && deltaContent(event.data) !== '') ttftMs = performance.now() - started;
        events.push(event.data);
      }
      answer = streamAnswer(response.statusCode, cache, events);
    } else {
      answer = jsonAnswer(response.statusCode, cache, await response.body.text());
    }
    return { answer, durationMs: performance.now() - started, ttftMs, transportError: undefined, interrupted: false };
  } catch (error) {
    const code = timeout.aborted ? 'timeout' : ((error as { code?: string }).code ?? (error as Error).name ?? 'error');
    const answer: Answer = { status: 0, cache: undefined, content: '', complete: false, completionTokens: undefined, error: `${code}: ${(error as Error).message}` };
    return { answer, durationMs: undefined, ttftMs, transportError: code, interrupted: stop.aborted && !timeout.aborted };
  }
}
