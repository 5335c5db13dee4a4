import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import type {
  ChatCompletion,
  ChatRequest,
  EmbeddingResponse,
  LlmProvider,
} from '@llm-connector-hub/core';
import { HubErrors } from '@llm-connector-hub/core';
import type { HubContext, HubContextBase, HubEmbeddingContext } from './hub-context';
import type { HubMiddleware } from './hub-middleware';
import type { HubCallOptions, HubEmbeddingRequest, HubRequest, Route } from './hub-request';
import { asHubChunk, asHubCompletion, type HubChunk, type HubCompletion } from './hub-results';
import { ModelRouter, type ModelRouterOptions, type RouteTarget } from './model-router';
import { composePipeline, type Pipeline } from './pipeline';
import { Deadline } from './deadline';
import { ChatStream } from './chat-stream';
import { LazyStream } from './lazy-stream';

const NO_CACHE_DIRECTIVES = Object.freeze({});

export interface ConnectorHubOptions extends ModelRouterOptions {
  /** Timeout when the request gives none, in ms (default 300000). */
  defaultTimeoutMs?: number;
  /** Upper bound for a request's own `timeout`, in ms (default 600000). */
  maxTimeoutMs?: number;
  /**
   * Called after every upstream attempt (success or failure; a stream when it ends), with the
   * provider, the model as sent, and its duration: for upstream latency metrics.
   */
  onUpstreamAttempt?: (provider: string, model: string, seconds: number) => void;
}

export interface ModelListing {
  id: string;
  provider: string;
  /** For aliases: the `provider/model` target. */
  target?: string;
}

/**
 * The embeddable core: registered providers, an onion of middleware, routing and timeouts.
 * Usable without NestJS:
 *
 *   const hub = new ConnectorHub();
 *   hub.registerProvider('openai', new OpenAIProvider({ apiKey }));
 *   const res = await hub.complete({ provider: 'openai', model: 'gpt-4o-mini', messages });
 */
export class ConnectorHub {
  private readonly providers = new Map<string, LlmProvider>();
  private readonly middleware: HubMiddleware[] = [];
  private readonly router: ModelRouter;
  private readonly defaultTimeoutMs: number;
  private readonly maxTimeoutMs: number;
  private readonly onUpstreamAttempt?: ConnectorHubOptions['onUpstreamAttempt'];
  /** The middleware composed into one handler per kind; rebuilt by use(), not per call. */
  private pipeline: Pipeline;

  constructor(options: ConnectorHubOptions = {}) {
    this.defaultTimeoutMs = options.defaultTimeoutMs ?? 300_000;
    this.maxTimeoutMs = options.maxTimeoutMs ?? 600_000;
    this.onUpstreamAttempt = options.onUpstreamAttempt;
    this.router = new ModelRouter(
      {
        has: (name) => this.providers.has(name),
        providerListing: (model) => {
          for (const [name, provider] of this.providers) if (provider.models.includes(model)) return name;
          return undefined;
        },
      },
      options,
    );
    this.pipeline = this.compose();
  }

  registerProvider(name: string, provider: LlmProvider): this {
    if (!/^[a-z0-9][a-z0-9_.-]*$/i.test(name)) throw new Error(`invalid provider name '${name}'`);
    if (this.providers.has(name)) throw new Error(`provider '${name}' is already registered`);
    this.providers.set(name, provider);
    return this;
  }

  /** Adds a middleware; the first added is the outermost layer. */
  use(middleware: HubMiddleware): this {
    this.middleware.push(middleware);
    this.pipeline = this.compose();
    return this;
  }

  getProvider(name: string): LlmProvider | undefined {
    return this.providers.get(name);
  }

  providerNames(): string[] {
    return [...this.providers.keys()];
  }

  resolve(model: string, provider?: string): Route {
    return this.router.resolve(model, provider);
  }

  /**
   * Whether a target of `model` (an alias's any) is served by a provider that sends requests in
   * `dialect` as they came (LlmProvider.nativeDialects): a route then need not refuse what only the
   * native request carries. False for a model that does not resolve (the call reports that).
   */
  takesNatively(model: string, dialect: string, provider?: string): boolean {
    let targets: RouteTarget[];
    try {
      targets = this.router.resolveTargets(model, provider);
    } catch {
      return false;
    }
    return targets.some((target) => this.providers.get(target.provider)?.nativeDialects?.includes(dialect) === true);
  }

  /** Every `provider/model` the providers list, then the aliases. */
  listModels(): ModelListing[] {
    const models: ModelListing[] = [];
    for (const [name, provider] of this.providers) {
      for (const model of provider.models) models.push({ id: `${name}/${model}`, provider: name });
    }
    for (const [alias, route] of this.router.aliasEntries()) {
      models.push({ id: alias, provider: route.provider, target: `${route.provider}/${route.model}` });
    }
    return models;
  }

  async complete(request: HubRequest, options: HubCallOptions = {}): Promise<HubCompletion> {
    const context = this.chatContext(request, options, false);
    const deadline = context.deadline;
    try {
      const completion = await this.pipeline.complete(context);
      context.meta.usage = completion.usage;
      return asHubCompletion(completion);
    } catch (error) {
      throw deadline.translate(error, context.provider);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * Streams canonical chunks. Nothing is sent upstream until the first `next()`; a failure
   * before the first chunk rejects that `next()`, so callers can still answer with an HTTP error.
   */
  streamComplete(request: HubRequest, options: HubCallOptions = {}): AsyncIterableIterator<HubChunk> {
    return new LazyStream(() => this.openStream(request, options)) as AsyncIterableIterator<HubChunk>;
  }

  private async openStream(request: HubRequest, options: HubCallOptions): Promise<ChatStream> {
    const context = this.chatContext(request, options, true);
    const deadline = context.deadline;
    let stream: ChatStream;
    try {
      stream = await this.pipeline.stream(context);
    } catch (error) {
      deadline.dispose();
      throw deadline.translate(error, context.provider);
    }
    const meta = context.meta;
    return stream
      .onChunk((chunk) => {
        if (chunk.usage) meta.usage = chunk.usage;
        asHubChunk(chunk);
      })
      .mapError((error) => deadline.translate(error, context.provider))
      .onEnd(() => deadline.dispose());
  }

  async embed(request: HubEmbeddingRequest, options: HubCallOptions = {}): Promise<EmbeddingResponse> {
    const { provider: requestedProvider, timeout, ...rest } = request;
    const targets = this.router.resolveTargets(request.model, requestedProvider);
    const route = targets[0];
    const context: HubEmbeddingContext = {
      kind: 'embedding',
      ...this.baseContext(request.model, targets, timeout, options),
      request: { ...rest, model: route.model },
    };
    const deadline = context.deadline;
    try {
      const response = await this.pipeline.embed(context);
      if (response.usage) context.meta.usage = { prompt_tokens: response.usage.prompt_tokens, completion_tokens: 0, total_tokens: response.usage.total_tokens };
      return response;
    } catch (error) {
      throw deadline.translate(error, context.provider);
    } finally {
      deadline.dispose();
    }
  }

  async close(): Promise<void> {
    // One instance may serve under several names; closing its pool twice would reject.
    await Promise.all([
      ...[...new Set(this.providers.values())].map(async (provider) => provider.close?.()),
      ...this.middleware.map(async (layer) => layer.close?.()),
    ]);
  }

  /** The chat call's context, with the canonical request for the first target (a copy of the caller's). */
  private chatContext(request: HubRequest, options: HubCallOptions, stream: boolean): HubContext {
    const { provider: requestedProvider, timeout, model: named, ...rest } = request;
    const model = named || (requestedProvider === undefined ? undefined : this.providers.get(requestedProvider)?.defaultModel) || '';
    const targets = this.router.resolveTargets(model, requestedProvider);
    const canonical: ChatRequest = { ...rest, model: targets[0].model };
    return { kind: 'chat', ...this.baseContext(model, targets, timeout, options), request: canonical, stream, native: options.native };
  }

  /** The parts of a context every call has; starts the call's deadline (callers dispose it). `meta` starts at the first target. */
  private baseContext(requestedModel: string, targets: RouteTarget[], timeout: number | undefined, options: HubCallOptions) {
    const timeoutMs = Math.min(timeout ?? this.defaultTimeoutMs, this.maxTimeoutMs);
    const deadline = new Deadline(timeoutMs, options.signal);
    const route = targets[0];
    const meta = options.meta ?? {};
    meta.provider = route.provider;
    meta.model = route.model;
    meta.attempts = 0;
    return {
      requestId: options.requestId ?? randomUUID(),
      requestedModel,
      provider: route.provider,
      targets,
      meta,
      tenant: options.tenant ?? '',
      cache: options.cache ?? NO_CACHE_DIRECTIVES,
      signal: deadline.signal,
      deadline,
      timeoutMs,
      startedAt: performance.now(),
    };
  }

  private providerFor(name: string): LlmProvider {
    const provider = this.providers.get(name);
    if (!provider) throw HubErrors.providerNotFound(name);
    return provider;
  }

  /** An abort by the call's own deadline becomes its HubError before any middleware sees it. */
  private translated(error: unknown, context: HubContextBase): unknown {
    return context.deadline.translate(error, context.provider);
  }

  /**
   * The innermost layer: calls the provider the context names and records who served. The
   * handlers are async, so every failure (unknown provider, no embeddings, a deadline abort)
   * reaches middleware as a rejection holding a HubError, never as a synchronous throw.
   */
  private compose(): Pipeline {
    return composePipeline(this.middleware, {
      complete: async (context): Promise<ChatCompletion> => {
        const provider = this.providerFor(context.provider);
        this.served(context);
        const started = performance.now();
        try {
          return await provider.complete(context.request, context);
        } catch (error) {
          throw this.translated(error, context);
        } finally {
          this.attemptEnded(context, started);
        }
      },
      stream: (context) => this.providerStream(context),
      embed: async (context): Promise<EmbeddingResponse> => {
        const provider = this.providerFor(context.provider);
        if (!provider.embed) throw HubErrors.unsupported(context.provider, 'embeddings');
        this.served(context);
        const started = performance.now();
        try {
          return await provider.embed(context.request, context);
        } catch (error) {
          throw this.translated(error, context);
        } finally {
          this.attemptEnded(context, started);
        }
      },
    });
  }

  private async providerStream(context: HubContext): Promise<ChatStream> {
    const provider = this.providerFor(context.provider);
    this.served(context);
    const started = performance.now();
    let stream: ChatStream;
    try {
      stream = await ChatStream.open(provider.stream(context.request, context));
    } catch (error) {
      this.attemptEnded(context, started);
      throw this.translated(error, context);
    }
    return stream.mapError((error) => this.translated(error, context)).onEnd(() => this.attemptEnded(context, started));
  }

  /** Upstream time is summed per call (retries and fallbacks included) and reported per attempt. */
  private attemptEnded(context: HubContextBase, started: number): void {
    const ms = performance.now() - started;
    const meta = context.meta;
    meta.upstreamMs = (meta.upstreamMs ?? 0) + ms;
    this.onUpstreamAttempt?.(meta.provider!, meta.model!, ms / 1000);
  }

  private served(context: HubContext | HubEmbeddingContext): void {
    context.meta.provider = context.provider;
    context.meta.model = context.request.model;
    context.meta.target = `${context.provider}/${context.request.model}`;
    context.meta.attempts = (context.meta.attempts ?? 0) + 1;
  }
}
