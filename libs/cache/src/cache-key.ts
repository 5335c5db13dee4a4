import { hash as digest } from 'node:crypto';
import type { ChatRequest, EmbeddingRequest, NativeRequest } from '@llm-connector-hub/core';
import { configure } from 'safe-stable-stringify';

export interface CacheKeyInput {
  /** Prefix of every key, e.g. `llmhub:`; must not contain `{` or `}` (they would move the hash tag). */
  namespace: string;
  /** Who is calling (a digest of the caller's key); answers are never shared across tenants. */
  tenant: string;
  /** The ordered targets the request resolved to (alias -> provider/model list). */
  targets: ReadonlyArray<{ provider: string; model: string }>;
  request: ChatRequest | EmbeddingRequest;
  kind: 'chat' | 'embedding';
  /**
   * The client's request in its own dialect, when the call carries one: part of the key, since
   * the upstream may get it instead of the canonical request, and the canonical one does not hold
   * all of it (thinking signatures, `cache_control`, beta headers).
   */
  native?: NativeRequest;
}

/**
 * Request fields that cannot change the answer. A deny-list, not an allow-list, on purpose: a
 * field we do not know (a new OpenAI parameter, a provider extension passed through) may change
 * the answer, so it must change the key. The cost of that choice is a lower hit rate for
 * requests carrying unknown-but-irrelevant fields; the alternative would serve wrong answers.
 * `model` is here because the targets carry it (so an alias and its explicit target list share
 * entries).
 */
const IGNORED_FIELDS: ReadonlySet<string> = new Set([
  'model',
  'stream',
  'stream_options',
  'user',
  'metadata',
  'store',
  'timeout',
  'provider',
  'service_tier',
]);

/**
 * Sorted keys so the client's key order never matters. A cycle cannot come from a JSON body; if a
 * library caller builds one, failing beats hashing a '[Circular]' placeholder that could collide.
 */
const stableStringify = configure({ deterministic: true, circularValue: TypeError });

/** Bounded memo of tenant tags: tenants are few, so most calls hash only the request. */
const TENANT_TAG_MEMO_LIMIT = 10_000;
const tenantTags = new Map<string, string>();

/**
 * The Redis key of a cached answer: `${namespace}v1:{${tenantTag}:${hash}}`. The `{…}` is a Redis
 * Cluster hash tag: a request's value and its lock (`lockKeyFor`) share one slot, while different
 * requests spread over all slots. The tenant appears only as a hash, so no character in it
 * (`}`, `:`, newline…) can break out of the tag or forge another tenant's key.
 */
export function cacheKeyFor(input: CacheKeyInput): string {
  const { namespace } = input;
  if (namespace.includes('{') || namespace.includes('}')) {
    throw new RangeError('the cache namespace must not contain "{" or "}" (it would change the Redis Cluster hash tag)');
  }
  const hashed: object = {
    kind: input.kind,
    targets: input.targets.map((target) => [target.provider, target.model]),
    request: relevantFields(input.request),
    // Absent (so left out of the JSON, and every other key unchanged) unless the call carries one.
    native: input.native && { dialect: input.native.dialect, body: relevantFields(input.native.body), headers: input.native.headers },
  };
  const payload = stableStringify(hashed);
  // crypto.hash: one native call, about half the cost of createHash().update().digest().
  const hash = digest('sha256', payload, 'hex');
  return `${namespace}v1:{${tenantTag(input.tenant)}:${hash}}`;
}

/** The single-flight lock of a cached answer; same hash tag, so same Cluster slot as the value. */
export function lockKeyFor(key: string): string {
  return `${key}:lock`;
}

function relevantFields(request: ChatRequest | EmbeddingRequest | NativeRequest['body']): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(request)) {
    if (!IGNORED_FIELDS.has(field)) kept[field] = value;
  }
  return kept;
}

function tenantTag(tenant: string): string {
  let tag = tenantTags.get(tenant);
  if (tag === undefined) {
    tag = digest('sha256', tenant, 'hex').slice(0, 16);
    // Clearing beats LRU bookkeeping here: a refill costs one hash per tenant.
    if (tenantTags.size >= TENANT_TAG_MEMO_LIMIT) tenantTags.clear();
    tenantTags.set(tenant, tag);
  }
  return tag;
}
