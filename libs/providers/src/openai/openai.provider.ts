import type { UpstreamLimits } from '@llm-connector-hub/core';
import { HttpChatProvider, type ProviderInstanceOptions } from '../shared';
import { OpenAITranslator } from './openai.translator';
import type { OpenAIStreamState } from './openai.stream';

export interface OpenAIProviderOptions extends ProviderInstanceOptions {
  /** Instance name (default 'openai'). */
  name?: string;
  apiKey: string;
  /** Includes `/v1` (OpenAI SDK convention). Default https://api.openai.com/v1. */
  baseUrl?: string;
  organization?: string;
  project?: string;
  models?: readonly string[];
  headers?: Record<string, string>;
  /** Size and stall bounds on answers (UPSTREAM_DEFAULTS for unset fields). */
  upstream?: Partial<UpstreamLimits>;
}

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export class OpenAIProvider extends HttpChatProvider<OpenAIStreamState> {
  constructor(options: OpenAIProviderOptions) {
    const name = options.name ?? 'openai';
    const headers: Record<string, string> = { ...options.headers, authorization: `Bearer ${options.apiKey}` };
    if (options.organization) headers['openai-organization'] = options.organization;
    if (options.project) headers['openai-project'] = options.project;
    const translator = new OpenAITranslator(name);
    super({
      type: 'openai',
      models: options.models ?? [],
      defaultModel: options.defaults?.model,
      chat: translator,
      embeddings: translator,
      transport: {
        provider: name,
        baseUrl: options.baseUrl ?? OPENAI_DEFAULT_BASE_URL,
        headers,
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
