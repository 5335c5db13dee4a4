import { HttpChatProvider, type HttpProviderOptions } from '../shared';
import type { MistralStreamState } from './mistral.stream';
import { MistralTranslator } from './mistral.translator';

export interface MistralProviderOptions extends HttpProviderOptions {
  apiKey: string;
  /** Includes `/v1`. Default https://api.mistral.ai/v1. */
  baseUrl?: string;
}

export const MISTRAL_DEFAULT_BASE_URL = 'https://api.mistral.ai/v1';

/** Mistral's native API (La Plateforme): chat completions, streaming, tool calls, embeddings. */
export class MistralProvider extends HttpChatProvider<MistralStreamState> {
  constructor(options: MistralProviderOptions) {
    const name = options.name ?? 'mistral';
    const translator = new MistralTranslator(name);
    super({
      type: 'mistral',
      models: options.models ?? [],
      chat: translator,
      embeddings: translator,
      transport: {
        provider: name,
        baseUrl: options.baseUrl ?? MISTRAL_DEFAULT_BASE_URL,
        headers: { ...options.headers, authorization: `Bearer ${options.apiKey}` },
        secrets: [options.apiKey],
        maxConcurrent: options.maxConcurrent,
        http2: options.http2,
        upstream: options.upstream,
        errorMessage: (body) => translator.errorMessage(body),
      },
    });
  }
}
