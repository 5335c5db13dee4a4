import type { UpstreamLimits } from '@llm-connector-hub/core';
import { HttpChatProvider, type ProviderInstanceOptions } from '../shared';
import { GoogleEmbeddingTranslator } from './google.embeddings';
import type { GoogleStreamState } from './google.stream';
import { GoogleTranslator } from './google.translator';

export interface GoogleProviderOptions extends ProviderInstanceOptions {
  /** Instance name (default 'google'). */
  name?: string;
  /** A Gemini API key (GEMINI_API_KEY / GOOGLE_API_KEY). */
  apiKey: string;
  /**
   * Origin (and optional proxy path) without the API version, like the SDKs' GEMINI_BASE_URL:
   * paths add `/v1beta/...` themselves. Default https://generativelanguage.googleapis.com.
   */
  baseUrl?: string;
  models?: readonly string[];
  headers?: Record<string, string>;
  /** Size and stall bounds on answers (UPSTREAM_DEFAULTS for unset fields). */
  upstream?: Partial<UpstreamLimits>;
}

export const GOOGLE_DEFAULT_BASE_URL = 'https://generativelanguage.googleapis.com';

/** Google's Gemini API (AI Studio keys), chat and embeddings. */
export class GoogleProvider extends HttpChatProvider<GoogleStreamState> {
  constructor(options: GoogleProviderOptions) {
    const name = options.name ?? 'google';
    const translator = new GoogleTranslator(name);
    super({
      type: 'google',
      models: options.models ?? [],
      defaultModel: options.defaults?.model,
      chat: translator,
      embeddings: new GoogleEmbeddingTranslator(name),
      transport: {
        provider: name,
        baseUrl: options.baseUrl ?? GOOGLE_DEFAULT_BASE_URL,
        // The header, not `?key=`: a key in the URL ends up in access logs and error messages.
        headers: { ...options.headers, 'x-goog-api-key': options.apiKey },
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
