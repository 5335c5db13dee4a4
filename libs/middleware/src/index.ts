/**
 * The hub middleware people embedding the library reach for, in one package: the response cache
 * and the resilience layers (retry, circuit breaker, timeouts, bulkhead, fallback). It only
 * re-exports @llm-connector-hub/cache and @llm-connector-hub/resilience, which stay usable alone.
 */
export * from '@llm-connector-hub/cache';
export * from '@llm-connector-hub/resilience';
