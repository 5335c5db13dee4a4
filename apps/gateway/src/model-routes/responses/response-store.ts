import { Inject, Injectable } from '@nestjs/common';
import type { HubConfig } from '@llm-connector-hub/assembly';
import { CacheMiddleware, type StateStore } from '@llm-connector-hub/cache';
import { hubError } from '@llm-connector-hub/core';
import { conversationOf, outputItemOf, responseIdOfItem, type ConversationItem, type EarlierState, type ResponsesRequest, type StoredResponse } from '@llm-connector-hub/dialects';
import { GATEWAY_CONFIG } from '../../config/config.tokens';

/** A stored response and whose it is (a digest of the caller's gateway key, '' without keys). */
interface StoredEntry extends StoredResponse {
  tenant: string;
}

/**
 * The Responses API's stored responses (`store: true`), kept on the response cache's store for
 * `responses.store.ttlSeconds`: in process with a memory cache, in its Redis (every replica sees
 * them) with a Redis cache, nowhere with the cache off (then every response says `store: false`).
 * A response is visible only to the gateway key that made it, as OpenAI scopes them to a project.
 */
@Injectable()
export class ResponseStore {
  private readonly store: StateStore | undefined;
  private readonly maxEntryBytes: number;

  constructor(@Inject(GATEWAY_CONFIG) config: HubConfig, @Inject(CacheMiddleware) cache: CacheMiddleware | null) {
    const { ttlSeconds, maxBytes, maxEntryBytes, timeoutMs } = config.responses.store;
    this.store = cache?.stateStore({ namespace: 'responses:', ttlMs: ttlSeconds * 1000, maxBytes, timeoutMs });
    this.maxEntryBytes = maxEntryBytes;
  }

  /** Whether `store: true` can be honoured at all. */
  get enabled(): boolean {
    return this.store !== undefined;
  }

  /** False when it was not kept (no store, larger than maxEntryBytes, Redis failed). */
  async save(tenant: string, stored: StoredResponse): Promise<boolean> {
    if (!this.store) return false;
    const value = JSON.stringify({ tenant, ...stored } satisfies StoredEntry);
    if (value.length > this.maxEntryBytes) return false;
    return this.store.set(stored.response.id, value);
  }

  async load(tenant: string, id: string): Promise<StoredResponse | undefined> {
    const value = await this.store?.get(id);
    if (value === undefined) return undefined;
    const entry = JSON.parse(value) as StoredEntry;
    return entry.tenant === tenant ? entry : undefined;
  }

  async delete(tenant: string, id: string): Promise<boolean> {
    return (await this.load(tenant, id)) !== undefined && (await this.store!.delete(id));
  }

  /**
   * The earlier state a request names: the conversation of `previous_response_id`, and the items
   * of its `item_reference`s. References are resolved one stored response at a time (they nearly
   * always name items of one response), and what they add is bounded by maxEntryBytes, the most
   * one stored conversation holds: a request cannot make the gateway hold many stored
   * conversations at once, nor fan out lookups past its first unknown item.
   */
  async earlierState(tenant: string, request: ResponsesRequest): Promise<EarlierState> {
    let history: ConversationItem[] = [];
    if (request.previous_response_id) {
      const previous = await this.load(tenant, request.previous_response_id);
      if (!previous) throw hubError('previous_response_not_found', { id: request.previous_response_id }, { param: 'previous_response_id' });
      history = conversationOf(previous);
    }
    const referenced = new Map<string, ConversationItem>();
    let referencedBytes = 0;
    let current: { id: string; stored: StoredResponse | undefined } | undefined;
    for (const [index, reference] of (request.input ?? []).entries()) {
      if (reference.type !== 'item_reference' || referenced.has(reference.id)) continue;
      const responseId = responseIdOfItem(reference.id);
      if (responseId && current?.id !== responseId) current = { id: responseId, stored: await this.load(tenant, responseId) };
      const item = responseId && current?.stored ? outputItemOf(current.stored, reference.id) : undefined;
      if (!item) throw hubError('item_not_found', { id: reference.id }, { param: `input[${index}].id` });
      referencedBytes += JSON.stringify(item).length;
      if (referencedBytes > this.maxEntryBytes) {
        const detail = `the items named by item_reference add up to more than one stored response holds (responses.store.maxEntryBytes, ${this.maxEntryBytes} bytes): send them in full`;
        throw hubError('invalid_value', { detail }, { param: `input[${index}]` });
      }
      referenced.set(reference.id, item);
    }
    return { history, referenced };
  }
}
