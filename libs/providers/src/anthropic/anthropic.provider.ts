import type { UpstreamLimits } from '@llm-connector-hub/core';
import { HttpChatProvider, type ProviderInstanceOptions } from '../shared';
import { AnthropicTranslator } from './anthropic.translator';
import { anthropicNativeWire } from './anthropic.native';
import type { AnthropicStreamState } from './anthropic.stream';

export interface AnthropicProviderOptions extends ProviderInstanceOptions {
  /** Instance name (default 'anthropic'). */
  name?: string;
  apiKey: string;
  /** Without `/v1`, like the SDK's ANTHROPIC_BASE_URL. Default https://api.anthropic.com. */
  baseUrl?: string;
  /** The `anthropic-version` header. Default 2023-06-01, the current API version. */
  version?: string;
  models?: readonly string[];
  /** Extra headers, e.g. `anthropic-beta`. */
  headers?: Record<string, string>;
  /** Size and stall bounds on answers (UPSTREAM_DEFAULTS for unset fields). */
  upstream?: Partial<UpstreamLimits>;
}

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';
export const ANTHROPIC_DEFAULT_VERSION = '2023-06-01';

export class AnthropicProvider extends HttpChatProvider<AnthropicStreamState> {
  constructor(options: AnthropicProviderOptions) {
    const name = options.name ?? 'anthropic';
    const translator = new AnthropicTranslator(name, anthropicNativeWire(options.headers ?? {}));
    super({
      type: 'anthropic',
      models: options.models ?? [],
      defaultModel: options.defaults?.model,
      chat: translator,
      transport: {
        provider: name,
        baseUrl: options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL,
        // Auth and version last, so stray `headers` entries cannot replace them.
        headers: {
          ...options.headers,
          'x-api-key': options.apiKey,
          'anthropic-version': options.version ?? ANTHROPIC_DEFAULT_VERSION,
        },
        secrets: [options.apiKey],
        maxConcurrent: options.maxConcurrent,
        pool: options.pool,
        http2: options.http2,
        upstream: options.upstream,
        errorMessage: (body) => translator.errorMessage(body),
      },
    });
  }
}
