/**
 * The one loader of recorded wire data for the provider specs (test support, not exported from
 * the index, excluded from the build): each provider keeps its recordings in its own `fixtures/`
 * folder and binds this loader to it.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SseParser, type SseEvent } from '@llm-connector-hub/core';

export interface FixtureLoader {
  text(name: string): string;
  json<T = unknown>(name: string): T;
}

/** Reads `<dir>/<name>` as text or as JSON. */
export function fixtureLoader(dir: string): FixtureLoader {
  const text = (name: string) => readFileSync(join(dir, name), 'utf8');
  return { text, json: <T>(name: string) => JSON.parse(text(name)) as T };
}

/**
 * Parses a recorded stream the way the provider does, fed as `pieceSize`-byte network chunks:
 * small pieces split events, lines, CRLF pairs, JSON and multi-byte UTF-8 characters anywhere.
 */
export function sseEventsOf(text: string, pieceSize: number): SseEvent[] {
  const bytes = new TextEncoder().encode(text);
  const parser = new SseParser();
  const events: SseEvent[] = [];
  for (let offset = 0; offset < bytes.length; offset += pieceSize) {
    events.push(...parser.push(bytes.subarray(offset, offset + pieceSize)));
  }
  events.push(...parser.end());
  return events;
}
