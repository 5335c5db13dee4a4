import { join } from 'node:path';
import type { ChatCompletionChunk, ChatRequest } from '@llm-connector-hub/core';
import { fixtureLoader, sseEventsOf } from '../shared/fixtures.spec-helpers';
import { GoogleTranslator } from './google.translator';

/** Test-only helpers shared by the google specs (not exported from the folder's index). */

const fixtures = fixtureLoader(join(__dirname, 'fixtures'));
export const fixtureText = fixtures.text;
export const fixtureJson = fixtures.json;
export { sseEventsOf as sseEvents };

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
    for (const event of sseEventsOf(fixtureText(fixture), pieceSize)) {
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
