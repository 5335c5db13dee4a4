import type { UpstreamLimits } from '@llm-connector-hub/core';
import { HttpChatProvider, type ProviderInstanceOptions } from '../shared';
import { OpenAITranslator } from '../openai/openai.translator';
import type { OpenAIStreamState } from '../openai/openai.stream';

export interface OpenAICompatibleProviderOptions extends ProviderInstanceOptions {
  /** Instance name: several instances (vllm, ollama, groq...) live side by side. */
  name: string;
  /** Base URL including the API prefix, e.g. http://127.0.0.1:11434/v1 for Ollama. */
  baseUrl: string;
  /** Optional: local servers (vLLM, Ollama, LM Studio) usually need none. */
  apiKey?: string;
  models?: readonly string[];
  headers?: Record<string, string>;
  /** Size and stall bounds on answers (UPSTREAM_DEFAULTS for unset fields). */
  upstream?: Partial<UpstreamLimits>;
  /** Whether the server implements /embeddings (default true). */
  embeddings?: boolean;
}

/** Any server that speaks OpenAI's Chat Completions at a base URL. */
export class OpenAICompatibleProvider extends HttpChatProvider<OpenAIStreamState> {
  constructor(options: OpenAICompatibleProviderOptions) {
    const headers: Record<string, string> = { ...options.headers };
    if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
    const translator = new OpenAITranslator(options.name);
    super({
      type: 'openai-compatible',
      models: options.models ?? [],
      defaultModel: options.defaults?.model,
      chat: translator,
      embeddings: options.embeddings === false ? undefined : translator,
      transport: {
        provider: options.name,
        baseUrl: options.baseUrl,
        headers,
        secrets: options.apiKey ? [options.apiKey] : [],
        maxConcurrent: options.maxConcurrent,
        pool: options.pool,
        http2: options.http2,
        upstream: options.upstream,
        errorMessage: (body) => translator.errorMessage(body),
      },
    });
  }
}
