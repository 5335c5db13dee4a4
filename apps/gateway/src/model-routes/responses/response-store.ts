import { Inject, Injectable } from '@nestjs/common';
import type { HubConfig } from '@llm-connector-hub/assembly';
import { CacheMiddleware, type StateStore } from '@llm-connector-hub/cache';
import { hubError } from '@llm-connector-hub/core';
import { conversationOf, outputItemOf, referencedItemIds, responseIdOfItem, type ConversationItem, type EarlierState, type ResponsesRequest, type StoredResponse } from '@llm-connector-hub/dialects';
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

  /** The earlier state a request names: the conversation of `previous_response_id`, and the items of its `item_reference`s. */
  async earlierState(tenant: string, request: ResponsesRequest): Promise<EarlierState> {
    const itemIds = referencedItemIds(request);
    const responseIds = new Set(itemIds.flatMap((id) => responseIdOfItem(id) ?? []));
    if (request.previous_response_id) responseIds.add(request.previous_response_id);
    const loaded = new Map(await Promise.all([...responseIds].map(async (id) => [id, await this.load(tenant, id)] as const)));
    let history: ConversationItem[] = [];
    if (request.previous_response_id) {
      const previous = loaded.get(request.previous_response_id);
      if (!previous) throw hubError('previous_response_not_found', { id: request.previous_response_id }, { param: 'previous_response_id' });
      history = conversationOf(previous);
    }
    const referenced = new Map<string, ConversationItem>();
    for (const itemId of itemIds) {
      const stored = loaded.get(responseIdOfItem(itemId) ?? '');
      const item = stored && outputItemOf(stored, itemId);
      if (item) referenced.set(itemId, item);
    }
    return { history, referenced };
  }
}
