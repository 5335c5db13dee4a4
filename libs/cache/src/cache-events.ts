import { EventChannel } from '@llm-connector-hub/core';
import type { CacheResult } from '@llm-connector-hub/hub';
import type { CacheHealth } from './redis-health';

export type CacheTier = 'memory' | 'redis';

/** What the response cache does, for metrics and logs (libs/observability exports them). */
export type CacheEvent =
  | { type: 'lookup'; result: CacheResult; tier?: CacheTier; kind: 'chat' | 'embedding' }
  | { type: 'stored'; bytes: number }
  | { type: 'coalesced'; scope: 'local' | 'remote' }
  | { type: 'error'; operation: 'get' | 'set' | 'lock' }
  | { type: 'health'; status: CacheHealth };

export class CacheEvents extends EventChannel<CacheEvent> {}
