import type { ChatCompletion, EmbeddingResponse } from '@llm-connector-hub/core';

/**
 * What the cache keeps for one request: the answer and who served it (so a hit can say so in
 * its headers). Stored as JSON in Redis, as the object itself in memory.
 */
export interface CachedAnswer<T = ChatCompletion | EmbeddingResponse> {
  readonly body: T;
  readonly provider: string;
  readonly model: string;
  readonly target: string;
  /** Date.now() when it stops being valid: a copy moved into memory from Redis keeps its deadline. */
  readonly expiresAt: number;
  /** Date.now() when it was stored, for a caller's `max-age` (absent in entries written before it was kept: their age is unknown). */
  readonly storedAt?: number;
  /** Approximate size in bytes (estimated from its text), for the memory tier's byte bound. */
  readonly bytes: number;
}
