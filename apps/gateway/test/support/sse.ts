import { request as httpRequest } from 'node:http';
import { SseParser } from '@llm-connector-hub/core';

export interface SseResult {
  status: number;
  headers: Headers;
  /** Parsed `data:` payloads, `[DONE]` kept as the string. */
  events: unknown[];
  raw: string;
}

/** Reads a whole SSE response with fetch (for assertions on the exact event sequence). */
export async function readSse(url: string, body: unknown, headers: Record<string, string> = {}): Promise<SseResult> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
  const raw = await response.text();
  const parser = new SseParser();
  const events = [...parser.push(raw), ...parser.end()].map((e) => (e.data === '[DONE]' ? '[DONE]' : JSON.parse(e.data)));
  return { status: response.status, headers: response.headers, events, raw };
}

export function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

/** Posts a stream request and hangs up as soon as the first bytes of the answer arrive. */
export function hangUpAfterFirstBytes(url: string, body: unknown): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const req = httpRequest(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    });
    req.on('error', () => undefined);
    req.once('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** The content of a stream's chunk events, joined: the answer a client would show. */
export function streamedText(events: unknown[]): string {
  return events
    .filter((e): e is { choices: Array<{ delta: { content?: string } }> } => typeof e === 'object' && e !== null && 'choices' in e)
    .map((e) => e.choices[0]?.delta.content ?? '')
    .join('');
}
