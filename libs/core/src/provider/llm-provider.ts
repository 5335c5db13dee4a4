import type { ChatRequest } from '../canonical/chat-request';
import type { ChatCompletion, ChatCompletionChunk } from '../canonical/chat-response';
import type { EmbeddingRequest, EmbeddingResponse } from '../canonical/embeddings';
import type { NativeRequest } from '../canonical/native-request';

/** What a provider call needs besides the request itself. */
export interface ProviderCallContext {
  /** Aborts the upstream HTTP request: client gone, timeout, or a lost race. */
  signal: AbortSignal;
  requestId: string;
  /**
   * The client's request in its own dialect, when a route handed one over. A provider that
   * speaks `native.dialect` sends it instead of translating the canonical request, and answers
   * with `native` set on the completion or on each chunk; any other provider ignores it.
   */
  readonly native?: NativeRequest;
}

/**
 * One configured upstream. Providers speak only the canonical format (OpenAI Chat Completions)
 * to the hub; their wire format stays inside their folder.
 */
export interface LlmProvider {
  /** The wire family: 'openai', 'anthropic', 'google', 'azure-openai', 'openai-compatible', 'mock'. */
  readonly type: string;
  /** Models this instance advertises in GET /v1/models (may be empty: any model is passed on). */
  readonly models: readonly string[];
  /** The model a request gets when it names none (the hub fills it in before routing). */
  readonly defaultModel?: string;
  /** The client-facing dialects this provider sends as they came (NativeRequest.dialect); none when absent. */
  readonly nativeDialects?: readonly string[];
  complete(request: ChatRequest, context: ProviderCallContext): Promise<ChatCompletion>;
  /**
   * Streams canonical chunks. Failures before the first chunk reject the first `next()`;
   * a stream cut mid-way throws a HubError (code `upstream_stream_interrupted`), never ends cleanly.
   * The last content chunk carries `finish_reason`; usage, when known, comes as a final
   * usage-only chunk (`choices: []`).
   */
  stream(request: ChatRequest, context: ProviderCallContext): AsyncIterable<ChatCompletionChunk>;
  /** Present only on providers that embed. */
  embed?(request: EmbeddingRequest, context: ProviderCallContext): Promise<EmbeddingResponse>;
  /** Closes connection pools. */
  close?(): Promise<void>;
}
