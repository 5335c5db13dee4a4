import type { ChatCompletion, EmbeddingResponse } from '@llm-connector-hub/core';
import { ChatStream, type CompleteHandler, type EmbedHandler, type HubCallMeta, type HubContext, type HubContextBase, type HubEmbeddingContext, type HubMiddleware, type StreamHandler } from '@llm-connector-hub/hub';
import type { Cluster, Redis } from 'ioredis';
import { estimateAnswerBytes } from './answer-size';
import { cacheKeyFor, lockKeyFor } from './cache-key';
import type { CachedAnswer } from './cached-answer';
import { CacheEvents, type CacheTier } from './cache-events';
import { resolveCacheOptions, type CacheMiddlewareOptions, type ResolvedCacheOptions } from './cache-options';
import { isCacheable } from './cache-policy';
import { completionToChunks } from './completion-replay';
import { createRedisClient } from './redis-connection';
import { RedisHealth, type CacheHealth } from './redis-health';
import { RedisLock } from './redis-lock';
import { ResponseCache } from './response-cache';
import { SingleFlight } from './single-flight';
import { StateStore, type StateStoreOptions } from './state-store';
import { StreamAssembler } from './stream-assembly';

type Body = ChatCompletion | EmbeddingResponse;
type Kind = 'chat' | 'embedding';

/** A leader that went away without an answer (its caller left): followers go upstream themselves. */
const LEADER_GONE = Symbol('leader gone');
/** A leader whose stream grew too large to keep: followers go upstream themselves, each on its own. */
const TOO_LARGE = Symbol('too large to share');

/**
 * The response cache as hub middleware: answers identical requests from memory or Redis, stores
 * fresh answers, and coalesces identical concurrent requests into one upstream call (in-process,
 * and across replicas through a short Redis lock). Sits outside the resilience layers, so a hit
 * costs no retry, breaker or bulkhead work, and one stored answer serves whichever target the
 * alias picked.
 *
 * - Policy (cache-policy.ts): only cacheable calls are looked up, stored or coalesced; by default
 *   those whose answer is meant to be the same each time, or whose caller opted in. Others pass
 *   straight through: identical sampled requests each get their own answer.
 * - `meta.cache`: HIT (answered here, also when it waited for an identical request's answer),
 *   MISS (looked up, went upstream), BYPASS (`no-cache`: not looked up) or UNCACHEABLE (not
 *   cacheable by the policy: neither looked up nor stored).
 * - `max-age=N` (`cache.maxAgeSeconds`): a stored answer N seconds old or older is a miss.
 * - Streams: a completed stream is stored as the completion it adds up to; a hit for a stream
 *   request is replayed as OpenAI chunks, so either kind of answer serves either kind of request.
 *   Errors, cut streams and streams the client left are never stored. A stream is assembled only
 *   when its answer may be stored or shared (not under `no-store`), and only up to `maxEntryBytes`:
 *   past that it is passed on without being kept, so memory does not grow with its length.
 * - Fail-open: any Redis failure or slowness is a miss, bounded by `commandTimeoutMs`.
 */
export class CacheMiddleware implements HubMiddleware {
  readonly name = 'cache';
  readonly events: CacheEvents;
  private readonly options: ResolvedCacheOptions;
  private readonly cache: ResponseCache;
  private readonly flights = new SingleFlight<CachedAnswer | typeof LEADER_GONE>();
  private readonly redis?: Redis | Cluster;
  private readonly lock?: RedisLock;
  private readonly redisHealth?: RedisHealth;

  constructor(options: CacheMiddlewareOptions, events = new CacheEvents()) {
    this.events = events;
    this.options = resolveCacheOptions(options);
    const entries = this.options.maxEntries;
    if (options.type === 'memory' && entries < 1) throw new RangeError('a memory cache needs maxSize >= 1');
    if (options.type !== 'memory') {
      const redis = options.redis ?? {};
      if (options.type === 'redis' && !redis.url) throw new RangeError("cache type 'redis' needs redis.url");
      if (options.type === 'redis-cluster' && !redis.nodes?.length) throw new RangeError("cache type 'redis-cluster' needs redis.nodes");
      this.redis = createRedisClient({
        url: options.type === 'redis' ? redis.url : undefined,
        nodes: options.type === 'redis-cluster' ? redis.nodes : undefined,
        username: redis.username,
        password: redis.password,
        tls: this.options.tls,
        commandTimeoutMs: this.options.commandTimeoutMs,
        connectTimeoutMs: this.options.connectTimeoutMs,
      });
      // ioredis reports connection errors as events; without a listener Node would print each one.
      this.redis.on('error', () => undefined);
      this.lock = new RedisLock(this.redis, this.options.commandTimeoutMs);
      this.redisHealth = new RedisHealth(this.redis, 1000, Math.max(this.options.commandTimeoutMs * 4, 200));
      this.redisHealth.onChange((status) => this.events.emit({ type: 'health', status }));
      this.redisHealth.start();
    }
    this.cache = new ResponseCache(
      {
        memory: entries > 0 ? { maxEntries: entries, maxBytes: this.options.maxBytes } : undefined,
        redis: this.redis ? { client: this.redis, timeoutMs: this.options.commandTimeoutMs } : undefined,
      },
      events,
    );
  }

  /** 'ok', or 'degraded' while Redis is unreachable or slow (the cache then fails open). */
  health(): CacheHealth {
    return this.redisHealth?.status ?? 'ok';
  }

  /** Re-checks Redis now (readiness probes call this instead of waiting for the next ping). */
  async checkHealth(): Promise<CacheHealth> {
    return this.redisHealth ? this.redisHealth.check() : 'ok';
  }

  /** A store for state beside the answers (StateStore), on this cache's store: its Redis when it has one, else in-process. */
  stateStore(options: StateStoreOptions): StateStore {
    return new StateStore(options, this.redis && { client: this.redis, keyPrefix: this.options.keyPrefix });
  }

  async close(): Promise<void> {
    this.redisHealth?.stop();
    if (this.redis) await this.redis.quit().catch(() => this.redis?.disconnect());
  }

  complete(context: HubContext, next: CompleteHandler): Promise<ChatCompletion> {
    if (this.uncacheable(context)) return next(context);
    return this.answer(context, 'chat', () => next(context)) as Promise<ChatCompletion>;
  }

  embed(context: HubEmbeddingContext, next: EmbedHandler): Promise<EmbeddingResponse> {
    if (this.uncacheable(context)) return next(context);
    return this.answer(context, 'embedding', () => next(context)) as Promise<EmbeddingResponse>;
  }

  async stream(context: HubContext, next: StreamHandler): Promise<ChatStream> {
    // Passed on untouched: nothing is assembled, so memory does not grow with the stream.
    if (this.uncacheable(context)) return next(context);
    const key = this.keyOf(context, 'chat');
    const found = await this.find(key, context, 'chat');
    if (!('lead' in found)) return ChatStream.of(completionToChunks(found.body as ChatCompletion));
    const { lead } = found;
    if (lead.answer) return ChatStream.of(completionToChunks(lead.answer.body as ChatCompletion));
    let stream: ChatStream;
    try {
      stream = await next(context);
    } catch (error) {
      lead.fail(error);
      throw error;
    }
    // Dropped (and with it what it held) once the answer can be neither stored nor shared.
    let assembler = context.cache.noStore ? undefined : new StreamAssembler();
    let chunks = 0;
    if (assembler) {
      stream.onChunk((chunk) => {
        if (!assembler) return;
        chunks += 1;
        assembler.add(chunk);
        if (assembler.bytes > this.options.maxEntryBytes) {
          assembler = undefined;
          lead.fail(TOO_LARGE);
        }
      });
    }
    return stream.onEnd((outcome) => {
      if (outcome.kind === 'failed') lead.fail(outcome.error);
      // A stream closed early, or one too large to keep, has nothing to store: followers go upstream themselves.
      // One that ended without a single chunk adds up to no completion (StreamAssembler.result() would throw).
      else if (outcome.kind === 'closed' || !assembler || chunks === 0) lead.fail(LEADER_GONE);
      else lead.succeed(assembler.result());
    });
  }

  /** The non-stream path (chat and embeddings). */
  private async answer(context: HubContext | HubEmbeddingContext, kind: Kind, fetch: () => Promise<Body>): Promise<Body> {
    const key = this.keyOf(context, kind);
    const found = await this.find(key, context, kind);
    if (!('lead' in found)) return found.body;
    const { lead } = found;
    if (lead.answer) return lead.answer.body;
    let body: Body;
    try {
      body = await fetch();
    } catch (error) {
      lead.fail(error);
      throw error;
    }
    lead.succeed(body);
    return body;
  }

  /** A call the policy leaves alone: says so (meta and events) and is then passed straight on. */
  private uncacheable(context: HubContext | HubEmbeddingContext): boolean {
    if (!isNative(context) && isCacheable(context, this.options.cacheable, this.options.models)) return false;
    context.meta.cache = 'UNCACHEABLE';
    this.events.emit({ type: 'lookup', result: 'UNCACHEABLE', kind: context.kind });
    return true;
  }

  private keyOf(context: HubContext | HubEmbeddingContext, kind: Kind): string {
    const native = context.kind === 'chat' ? context.native : undefined;
    return cacheKeyFor({ namespace: this.options.keyPrefix, tenant: context.tenant, targets: context.targets, request: context.request, kind, native });
  }

  /**
   * A stored answer, or an identical in-flight request's answer (waited for); otherwise this
   * request becomes the leader for its key. The check for a flight and the start of this
   * request's own flight run with no await in between: identical requests that all missed the
   * cache at the same moment must find one another, not each become a leader. When a leader goes
   * away without an answer, its followers look again, so one of them leads and the rest wait.
   */
  private async find(key: string, context: HubContextBase, kind: Kind): Promise<{ body: Body } | { lead: Leader }> {
    if (context.cache.noCache) return { lead: await this.claim(key, context, kind) };
    const hit = await this.cache.get(key);
    if (hit && fresh(hit.answer, context.cache.maxAgeSeconds)) return { body: this.served(context, hit.answer, kind, hit.tier) };
    for (;;) {
      const flight = this.flights.join(key);
      if (!flight) return { lead: await this.claim(key, context, kind) };
      let answer: CachedAnswer | typeof LEADER_GONE;
      try {
        answer = await abortable(flight, context.signal);
      } catch (error) {
        if (error === LEADER_GONE) continue;
        // Waiting for another leader would only repeat this, one follower after another.
        if (error === TOO_LARGE) return { lead: await this.claim(key, context, kind, false) };
        throw error;
      }
      if (answer === LEADER_GONE) continue;
      this.events.emit({ type: 'coalesced', scope: 'local' });
      return { body: this.served(context, answer, kind, 'memory') };
    }
  }

  /**
   * Makes this request the leader for its key: registers its flight (unless `no-store`) and, with
   * a shared tier, claims the key across replicas. When another replica holds the claim, waits
   * (bounded) for its answer in Redis; `answer` is set when that arrived. The flight is
   * registered before the first await (see `find`).
   */
  private async claim(key: string, context: HubContextBase, kind: Kind, coalesce = this.options.coalescing): Promise<Leader> {
    const noStore = context.cache.noStore === true;
    context.meta.cache = context.cache.noCache ? 'BYPASS' : 'MISS';
    const flight = noStore || !coalesce ? undefined : this.flights.begin(key);
    let lockKey: string | undefined;
    let token: string | null | undefined;
    if (this.lock && flight) {
      lockKey = lockKeyFor(key);
      try {
        token = await this.lock.acquire(lockKey, this.options.lockTtlMs);
      } catch {
        this.events.emit({ type: 'error', operation: 'lock' });
      }
      if (token === null && !context.cache.noCache) {
        const answer = await this.waitForRemote(key, context);
        if (answer) {
          flight.resolve(answer);
          this.events.emit({ type: 'coalesced', scope: 'remote' });
          this.served(context, answer, kind, 'redis');
          return { answer, succeed: () => undefined, fail: () => undefined };
        }
      }
    }
    this.events.emit({ type: 'lookup', result: context.meta.cache, kind });
    let settled = false;
    const release = () => {
      if (token && lockKey) this.lock!.release(lockKey, token).catch(() => this.events.emit({ type: 'error', operation: 'lock' }));
    };
    return {
      succeed: (body) => {
        if (settled) return;
        settled = true;
        // Followers get the answer even when it is not stored: it is the answer to their request.
        const answer = this.toAnswer(body, context);
        if (!noStore && this.storable(body, answer, context)) {
          // Stored before the lock is released, so a waiting replica finds it; off the response
          // path. The flight stays joinable until then, so a request that missed the cache just
          // before the store landed still gets this answer instead of going upstream again.
          const stored = this.cache.set(key, answer).then(
            () => this.events.emit({ type: 'stored', bytes: answer.bytes }),
            () => this.events.emit({ type: 'error', operation: 'set' }),
          );
          void stored.then(release);
          flight?.resolve(answer, stored);
        } else {
          release();
          flight?.resolve(answer);
        }
      },
      fail: (error) => {
        if (settled) return;
        settled = true;
        release();
        flight?.reject(error === TOO_LARGE ? TOO_LARGE : error === LEADER_GONE || leaderGaveUp(context) ? LEADER_GONE : error);
      },
    };
  }

  /** Polls the shared tier for another replica's answer: every 10 ms at first, backing off to 100. */
  private async waitForRemote(key: string, context: HubContextBase): Promise<CachedAnswer | undefined> {
    const until = Date.now() + Math.min(this.options.waitMs, context.deadline.remainingMs());
    let delay = 10;
    while (Date.now() + delay < until && !context.signal.aborted) {
      await sleep(delay, context.signal);
      const answer = await this.cache.getShared(key);
      if (answer) return answer;
      delay = Math.min(delay * 2, 100);
    }
    return undefined;
  }

  private served(context: { meta: HubCallMeta }, answer: CachedAnswer, kind: Kind, tier: CacheTier): Body {
    const meta = context.meta;
    meta.cache = 'HIT';
    meta.provider = answer.provider;
    meta.model = answer.model;
    meta.target = answer.target;
    meta.attempts = 0;
    this.events.emit({ type: 'lookup', result: 'HIT', tier, kind });
    return answer.body;
  }

  /** Only whole answers (every choice finished: a cut stream never gets this far, but be sure) within maxEntryBytes. */
  private storable(body: Body, answer: CachedAnswer, context: HubContextBase): boolean {
    if (context.signal.aborted || answer.bytes > this.options.maxEntryBytes) return false;
    if (body.object === 'list') return true;
    return body.choices.length > 0 && body.choices.every((choice) => choice.finish_reason !== null);
  }

  private toAnswer(body: Body, context: HubContextBase): CachedAnswer {
    const requested = context.cache.ttlSeconds;
    const ttlMs = requested === undefined ? this.options.ttlMs : Math.min(requested * 1000, this.options.maxTtlMs);
    const meta = context.meta;
    const now = Date.now();
    return {
      body,
      provider: meta.provider ?? context.provider,
      model: meta.model ?? '',
      target: meta.target ?? `${meta.provider}/${meta.model}`,
      expiresAt: now + ttlMs,
      storedAt: now,
      bytes: estimateAnswerBytes(body),
    };
  }
}

/**
 * A call carrying the client's request in its own dialect (HubContext.native) is never cacheable,
 * whoever opts in: its answer is the upstream's own, down to the byte (message ids, thinking
 * signatures bound to that answer), and what the cache keeps is the canonical view, whose replay
 * would lose what the client came for. Such clients use the upstream's own prompt caching
 * (`cache_control`, passed through) instead.
 */
function isNative(context: HubContext | HubEmbeddingContext): boolean {
  return context.kind === 'chat' && context.native !== undefined;
}

interface Leader {
  /** Set when another replica's answer arrived while waiting: serve it, do not go upstream. */
  answer?: CachedAnswer;
  succeed(body: Body): void;
  fail(error: unknown): void;
}

/** Young enough for the caller's `max-age` (RFC 9111 §5.2.1.1), when it gave one; an entry of unknown age is not. */
function fresh(answer: CachedAnswer, maxAgeSeconds: number | undefined): boolean {
  if (maxAgeSeconds === undefined) return true;
  return answer.storedAt !== undefined && Date.now() - answer.storedAt < maxAgeSeconds * 1000;
}

/**
 * The leader's own deadline ended its call: its caller went away, the gateway aborted on
 * shutdown, or its own timeout (which may be far shorter than a follower's) passed. Such a
 * failure says nothing about the followers' requests; they look again and one of them leads.
 */
function leaderGaveUp(context: HubContextBase): boolean {
  return context.deadline.signal.aborted;
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
