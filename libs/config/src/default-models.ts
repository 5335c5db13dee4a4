import type { ProviderType } from './config.schema';

/**
 * Models each provider type advertises when the config lists none: what GET /v1/models shows
 * and what a bare model name (no `provider/` prefix) is routed by. Any other model still works
 * as `provider/model`.
 */
export const DEFAULT_MODELS: Record<ProviderType, readonly string[]> = {
  mock: ['mock-1', 'mock-fast'],
  openai: ['gpt-4o', 'gpt-4o-mini', 'gpt-4.1', 'gpt-4.1-mini', 'gpt-4.1-nano', 'o3-mini', 'o4-mini', 'text-embedding-3-small', 'text-embedding-3-large'],
  anthropic: ['claude-3-5-haiku-latest', 'claude-3-7-sonnet-latest', 'claude-sonnet-4-0', 'claude-opus-4-0', 'claude-sonnet-4-5', 'claude-haiku-4-5'],
  google: ['gemini-2.0-flash', 'gemini-2.5-flash', 'gemini-2.5-flash-lite', 'gemini-2.5-pro', 'text-embedding-004', 'gemini-embedding-001'],
  'azure-openai': [],
  'openai-compatible': [],
};
