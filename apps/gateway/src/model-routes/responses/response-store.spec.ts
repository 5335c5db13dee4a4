import type { HubConfig } from '@llm-connector-hub/assembly';
import { CacheMiddleware } from '@llm-connector-hub/cache';
import { isHubError } from '@llm-connector-hub/core';
import { outputItemId, outputText, responseObject, responsesRequestSchema, type ResponseHead } from '@llm-connector-hub/dialects';
import { ResponseStore } from './response-store';

const store = { ttlSeconds: 60, maxBytes: 1024 * 1024, maxEntryBytes: 2000, timeoutMs: 100 };
const config = { responses: { store } } as HubConfig;
const request = (body: object) => responsesRequestSchema.parse({ model: 'm', ...body });

function stored(id: string, text: string) {
  const head: ResponseHead = { id, createdAt: 1, model: 'm', store: true, request: request({ input: 'q' }) };
  const message = { type: 'message' as const, id: outputItemId(id, 'msg', 0), status: 'completed' as const, role: 'assistant' as const, content: [outputText(text)] };
  return { input: [{ type: 'message' as const, role: 'user' as const, content: 'q' }], response: responseObject(head, 'completed', [message]) };
}

async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(() => undefined, (e: unknown) => e);
  return isHubError(error) ? { status: error.status, code: error.code, param: error.param } : error;
}

describe('ResponseStore', () => {
  const cache = new CacheMiddleware({ type: 'memory' });
  const responses = new ResponseStore(config, cache);
  const a = `resp_${'a'.repeat(32)}`;
  const b = `resp_${'b'.repeat(32)}`;

  afterAll(() => cache.close());

  it("keeps a response for its key only, and says nothing is kept without a cache", async () => {
    expect(await responses.save('t1', stored(a, 'one'))).toBe(true);
    expect((await responses.load('t1', a))?.response.id).toBe(a);
    expect(await responses.load('t2', a)).toBeUndefined();
    const off = new ResponseStore(config, null);
    expect([off.enabled, await off.save('t1', stored(a, 'one'))]).toEqual([false, false]);
  });

  it('does not keep a response larger than maxEntryBytes', async () => {
    expect(await responses.save('t1', stored(b, 'x'.repeat(store.maxEntryBytes)))).toBe(false);
    expect(await responses.load('t1', b)).toBeUndefined();
  });

  it('resolves references, and stops at the first one it cannot find', async () => {
    await responses.save('t1', stored(a, 'one'));
    const item = outputItemId(a, 'msg', 0);
    const state = await responses.earlierState('t1', request({ input: [{ type: 'item_reference', id: item }], previous_response_id: a }));
    expect(state.history.map((i) => i.type)).toEqual(['message', 'message']);
    expect(state.referenced.get(item)).toMatchObject({ id: item, role: 'assistant' });
    const unknown = request({ input: [{ type: 'item_reference', id: 'msg_x' }, { type: 'item_reference', id: item }] });
    expect(await refusal(responses.earlierState('t1', unknown))).toEqual({ status: 404, code: 'item_not_found', param: 'input[0].id' });
    expect(await refusal(responses.earlierState('t1', request({ previous_response_id: b })))).toEqual({ status: 404, code: 'previous_response_not_found', param: 'previous_response_id' });
  });

  it('refuses references that add up to more than one stored response holds', async () => {
    const ids = Array.from({ length: 4 }, (_, i) => `resp_${String(i).repeat(32)}`);
    for (const id of ids) expect(await responses.save('t1', stored(id, 'y'.repeat(store.maxEntryBytes / 2 - 400)))).toBe(true);
    const input = ids.map((id) => ({ type: 'item_reference', id: outputItemId(id, 'msg', 0) }));
    expect(await refusal(responses.earlierState('t1', request({ input })))).toEqual({ status: 400, code: 'invalid_value', param: 'input[2]' });
  });
});
