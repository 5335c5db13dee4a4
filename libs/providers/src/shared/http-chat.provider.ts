import type {
  ChatCompletion,
  ChatCompletionChunk,
  ChatRequest,
  EmbeddingRequest,
  EmbeddingResponse,
  LlmProvider,
  NativeRequest,
  ProviderCallContext,
  SseEvent,
  UpstreamLimits,
} from '@llm-connector-hub/core';
import { HubError, HubErrors } from '@llm-connector-hub/core';
import { HttpTransport, type HttpTransportOptions } from './http-transport';
import type { UpstreamPoolSettings } from './upstream-pool';
import type { ChatTranslator, EmbeddingTranslator } from './translator';
import { SSE_STREAM_FORMAT, type StreamFormat } from './stream-format';
import { nativeBody, withNativeEvent, type NativeWire } from './native-wire';

/** What every HTTP provider's constructor takes beside its own credentials and endpoint. */
export interface HttpProviderOptions extends UpstreamPoolSettings {
  /** Instance name: the provider in errors and metrics (default: the provider's type). */
  name?: string;
  models?: readonly string[];
  /** Extra headers sent on every request. */
  headers?: Record<string, string>;
  /** Size and stall bounds on answers (UPSTREAM_DEFAULTS for unset fields). */
  upstream?: Partial<UpstreamLimits>;
}

export interface HttpChatProviderOptions<State, Event> {
  type: string;
  models: readonly string[];
  defaultModel?: string;
  transport: HttpTransportOptions;
  chat: ChatTranslator<State, Event>;
  embeddings?: EmbeddingTranslator;
}

/**
 * A provider made of a translator and an HTTP transport: the I/O is written once here, and each
 * provider folder supplies only its pure wire translation.
 */
export class HttpChatProvider<State = unknown, Event = SseEvent> implements LlmProvider {
  readonly type: string;
  readonly models: readonly string[];
  readonly defaultModel?: string;
  readonly nativeDialects: readonly string[];
  readonly embed?: (request: EmbeddingRequest, context: ProviderCallContext) => Promise<EmbeddingResponse>;
  protected readonly transport: HttpTransport;
  private readonly chat: ChatTranslator<State, Event>;
  private readonly streamFormat: StreamFormat<Event>;
  private readonly provider: string;

  constructor(options: HttpChatProviderOptions<State, Event>) {
    this.type = options.type;
    this.models = options.models;
    this.defaultModel = options.defaultModel;
    this.chat = options.chat;
    this.nativeDialects = options.chat.native ? [options.chat.native.dialect] : [];
    // A translator without a format of its own reads SSE, whose events are then its Event type.
    this.streamFormat = options.chat.streamFormat ?? (SSE_STREAM_FORMAT as StreamFormat<unknown> as StreamFormat<Event>);
    this.provider = options.transport.provider;
    this.transport = new HttpTransport({ errorReason: (body) => this.chat.errorReason?.(body), ...options.transport });
    const embeddings = options.embeddings;
    if (embeddings) {
      this.embed = async (request, context) => {
        const body = await this.transport.postJson(
          embeddings.embedPath(request),
          embeddings.toWireEmbeddingRequest(request),
          context.signal,
        );
        return embeddings.fromWireEmbeddingResponse(body, request);
      };
    }
  }

  async complete(request: ChatRequest, context: ProviderCallContext): Promise<ChatCompletion> {
    const native = this.nativeCall(context);
    if (native) {
      const { wire, client } = native;
      const body = await this.transport.postJson(wire.path(false), nativeBody(client, request.model, false), context.signal, wire.headers(client));
      const completion = this.chat.fromWireResponse(body, request);
      completion.native = { dialect: wire.dialect, body };
      return completion;
    }
    const body = await this.transport.postJson(
      this.chat.chatPath(request, false),
      this.chat.toWireRequest(request, false),
      context.signal,
    );
    return this.chat.fromWireResponse(body, request);
  }

  async *stream(request: ChatRequest, context: ProviderCallContext): AsyncGenerator<ChatCompletionChunk> {
    const { signal } = context;
    const native = this.nativeCall(context);
    const response = native
      ? await this.transport.postStream(native.wire.path(true), nativeBody(native.client, request.model, true), signal, this.streamFormat, native.wire.headers(native.client))
      : await this.transport.postStream(this.chat.chatPath(request, true), this.chat.toWireRequest(request, true), signal, this.streamFormat);
    const state = this.chat.createStreamState(request);
    let last: ChatCompletionChunk | undefined;
    try {
      for await (const event of this.transport.events(response.body, this.streamFormat)) {
        // Bytes after the upstream's own end marker are read (so the keep-alive socket goes back
        // to the pool) but not translated.
        if (this.chat.isStreamDone(state)) continue;
        let chunks = this.chat.fromStreamEvent(event, state);
        if (native) {
          // A native stream is SSE (nativeCall checks): its events are SseEvents.
          const { event: name, data } = event as SseEvent;
          chunks = withNativeEvent(chunks, { event: name, data }, last, request.model);
          last = chunks[chunks.length - 1];
        }
        for (const chunk of chunks) yield chunk;
      }
    } catch (error) {
      const failure = this.transport.failure(error, signal);
      if (failure instanceof Error && (failure as { code?: string }).code === 'upstream_connection_error') {
        throw HubErrors.streamInterrupted(this.provider, 'the connection was lost');
      }
      // An error event inside the stream carries upstream text, like an HTTP error body does.
      if (failure instanceof HubError) failure.message = this.transport.redact(failure.message);
      throw failure;
    } finally {
      // Frees the socket when the consumer stopped early (client gone) or the stream failed.
      response.body.destroy();
    }
    for (const chunk of this.chat.finishStream(state)) yield chunk;
  }

  close(): Promise<void> {
    return this.transport.close();
  }

  /** The translator's native wire and the client's request, when the call carries one in that dialect (over SSE, which native events are). */
  private nativeCall(context: ProviderCallContext): { wire: NativeWire; client: NativeRequest } | undefined {
    const wire = this.chat.native;
    const client = context.native;
    if (!wire || !client || client.dialect !== wire.dialect || this.streamFormat !== SSE_STREAM_FORMAT) return undefined;
    return { wire, client };
  }
}
