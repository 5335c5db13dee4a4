/** Shared by the fake provider's specs: an in-process server and small readers for its answers. */
import { createFakeProviderServer, type FakeProviderServer } from '../src/fake-provider.server';

/** A fetch Response whose json() is loosely typed: specs probe wire shapes field by field. */
export type FakeResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface RunningFake {
  fake: FakeProviderServer;
  base: string;
  post(path: string, body: unknown, headers?: Record<string, string>, signal?: AbortSignal): Promise<FakeResponse>;
  /** fetch against the fake, relative path. */
  request(path: string, init?: RequestInit): Promise<FakeResponse>;
}

export async function startFake(): Promise<RunningFake> {
  const fake = createFakeProviderServer();
  const port = await fake.listen(0);
  const base = `http://127.0.0.1:${port}`;
  return {
    fake,
    base,
    post: (path, body, headers = {}, signal) =>
      fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: typeof body === 'string' ? body : JSON.stringify(body),
        signal,
      }),
    request: (path, init) => fetch(`${base}${path}`, init),
  };
}

export interface SseEvent {
  event?: string;
  data: string;
}

/** Parses a complete SSE text (LF or CRLF line ends). */
export function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r?\n\r?\n/)) {
    if (block.trim() === '') continue;
    const event: SseEvent = { data: '' };
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith('event: ')) event.event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    event.data = data.join('\n');
    events.push(event);
  }
  return events;
}

/** Reads a body to its end or to a transport error, returning what arrived either way. */
export async function readAll(res: FakeResponse): Promise<{ text: string; error?: unknown }> {
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { text: text + decoder.decode() };
      text += decoder.decode(value, { stream: true });
    }
  } catch (error) {
    return { text, error };
  }
}

/** Polls until `check` passes or the time runs out (server-side counters settle asynchronously). */
export async function eventually(check: () => void | Promise<void>, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await check();
      return;
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 10));
    }
  }
}
