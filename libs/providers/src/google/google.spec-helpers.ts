import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ChatCompletionChunk, ChatRequest, SseEvent } from '@llm-connector-hub/core';
import { SseParser } from '@llm-connector-hub/core';
import { GoogleTranslator } from './google.translator';

/** Test-only helpers shared by the google specs (not exported from the folder's index). */

export function fixtureText(name: string): string {
  return readFileSync(join(__dirname, 'fixtures', name), 'utf8');
}

export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/**
 * Splits the fixture's bytes into pieces of `pieceSize` bytes, as a network would (cutting lines,
 * CRLF pairs and multi-byte UTF-8 characters anywhere), and parses them like the provider does.
 */
export function sseEvents(text: string, pieceSize: number): SseEvent[] {
  const bytes = new TextEncoder().encode(text);
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    events.push(...parser.push(bytes.subarray(offset, offset + pieceSize)));
  }
  events.push(...parser.end());
  return events;
}

export interface StreamRun {
  chunks: ChatCompletionChunk[];
  /** What the stream threw (from an event or from finishStream), if anything. */
  error?: unknown;
}

/** Runs a fixture through the translator's stream state machine exactly as HttpChatProvider does. */
export function runStream(fixture: string, request: ChatRequest, pieceSize = 7, provider = 'google'): StreamRun {
  const translator = new GoogleTranslator(provider);
  const state = translator.createStreamState(request);
  const chunks: ChatCompletionChunk[] = [];
  try {
    for (const event of sseEvents(fixtureText(fixture), pieceSize)) {
      if (translator.isStreamDone(state)) continue;
      chunks.push(...translator.fromStreamEvent(event, state));
    }
    chunks.push(...translator.finishStream(state));
  } catch (error) {
    return { chunks, error };
  }
  return { chunks };
}

export function streamedContent(chunks: ChatCompletionChunk[], choice = 0): string {
  let text = '';
  for (const chunk of chunks) {
    for (const c of chunk.choices) if (c.index === choice && c.delta.content) text += c.delta.content;
  }
  return text;
}
