import type { ChatRequest, EmbeddingRequest, UpstreamLimits } from '@llm-connector-hub/core';
import { HttpChatProvider, type ProviderInstanceOptions } from '../shared';
import { OpenAITranslator, type OpenAIPaths } from '../openai/openai.translator';
import type { OpenAIStreamState } from '../openai/openai.stream';

export interface AzureOpenAIProviderOptions extends ProviderInstanceOptions {
  name?: string;
  apiKey: string;
  /** The resource endpoint, e.g. https://my-resource.openai.azure.com (AZURE_OPENAI_ENDPOINT). */
  endpoint: string;
  /** AZURE_OPENAI_API_VERSION; default below. */
  apiVersion?: string;
  /** Model name -> deployment name; a model not listed is used as the deployment name. */
  deployments?: Record<string, string>;
  models?: readonly string[];
  headers?: Record<string, string>;
  /** Size and stall bounds on answers (UPSTREAM_DEFAULTS for unset fields). */
  upstream?: Partial<UpstreamLimits>;
}

export const AZURE_OPENAI_DEFAULT_API_VERSION = '2024-10-21';

/**
 * Azure OpenAI speaks OpenAI's wire format at per-deployment URLs
 * (`/openai/deployments/{deployment}/chat/completions?api-version=...`) with an `api-key` header.
 */
export class AzureOpenAIProvider extends HttpChatProvider<OpenAIStreamState> {
  constructor(options: AzureOpenAIProviderOptions) {
    const name = options.name ?? 'azure-openai';
    const version = encodeURIComponent(options.apiVersion ?? AZURE_OPENAI_DEFAULT_API_VERSION);
    const deployments = options.deployments ?? {};
    const deployment = (model: string) => encodeURIComponent(deployments[model] ?? model);
    const paths: OpenAIPaths = {
      chat: (request: ChatRequest) => `/deployments/${deployment(request.model)}/chat/completions?api-version=${version}`,
      embeddings: (request: EmbeddingRequest) => `/deployments/${deployment(request.model)}/embeddings?api-version=${version}`,
    };
    const translator = new OpenAITranslator(name, paths);
    super({
      type: 'azure-openai',
      models: options.models ?? Object.keys(deployments),
      defaultModel: options.defaults?.model,
      chat: translator,
      embeddings: translator,
      transport: {
        provider: name,
        baseUrl: `${options.endpoint.replace(/\/+$/, '')}/openai`,
        headers: { ...options.headers, 'api-key': options.apiKey },
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
