/**
 * The fake LLM provider: one node:http server speaking OpenAI, Azure OpenAI, Anthropic,
 * Gemini, Bedrock (Converse) and Mistral, and on demand the same routes over cleartext HTTP/2 (h2c, prior knowledge) on a
 * second port, through node:http2's compatibility API. Routing is plain string work (no
 * framework, no per-request regex) because the benchmark measures the gateway against a bare
 * forwarder in front of this server, and the fake's own cost must stay small and flat.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createHttp2Server, type Http2Server, type ServerHttp2Session } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { handleAdmin } from './admin.routes';
import { anthropicDialect, messages } from './anthropic.routes';
import { bedrockDialect, converse } from './bedrock.routes';
import { MISTRAL_PREFIX, mistralChat, mistralDialect } from './mistral.routes';
import { Exchange, type FakeRequest, type FakeResponse } from './exchange';
import { embedContents, generateContent, geminiDialect } from './gemini.routes';
import { sendJson } from './http-io';
import type { ModelContext } from './model-request';
import { azureDialect, chatCompletions, embeddings, openaiDialect } from './openai.routes';
import { Scenario } from './scenario';
import { FakeStats } from './stats';
import { Gathering } from './gathering';

export interface FakeProviderOptions {
  /** Interface to listen on; default 127.0.0.1. */
  host?: string;
  /**
   * Idle keep-alive timeout. Longer than the gateway's client-side keep-alive so the fake never
   * closes a pooled connection just as the gateway reuses it (a spurious ECONNRESET in benchmarks).
   */
  keepAliveTimeoutMs?: number;
  /** Largest accepted request body; default 32 MiB. */
  maxBodyBytes?: number;
}

export interface FakeProviderServer {
  server: Server;
  /** The same routes over cleartext HTTP/2 (prior knowledge), once listenH2c() was called. */
  h2cServer: Http2Server;
  stats: FakeStats;
  scenario: Scenario;
  /** Listens on `port` (0, the default, picks a free one) and resolves the actual port. */
  listen(port?: number): Promise<number>;
  /** Listens for cleartext HTTP/2 on a second port (0 picks a free one) and resolves it. */
  listenH2c(port?: number): Promise<number>;
  /** Stops listening and drops every open connection, hanging requests included. */
  close(): Promise<void>;
}

type Handler = (ex: Exchange, ctx: ModelContext) => Promise<void>;

interface Route {
  name: string;
  handler: Handler;
}

const OPENAI_CHAT: Route = { name: 'openai.chat.completions', handler: (ex, ctx) => chatCompletions(ex, ctx, openaiDialect) };
const OPENAI_EMBEDDINGS: Route = { name: 'openai.embeddings', handler: (ex, ctx) => embeddings(ex, ctx, openaiDialect) };
const ANTHROPIC_MESSAGES: Route = { name: 'anthropic.messages', handler: messages };
const MISTRAL_CHAT: Route = { name: 'mistral.chat.completions', handler: mistralChat };
const MISTRAL_EMBEDDINGS: Route = { name: 'mistral.embeddings', handler: (ex, ctx) => embeddings(ex, ctx, mistralDialect) };

const AZURE_PREFIX = '/openai/deployments/';
const BEDROCK_PREFIX = '/model/';
const GEMINI_PREFIXES = ['/v1beta/models/', '/v1/models/'];

/** Maps a model request to its route; undefined when nothing matches. */
function matchRoute(path: string): Route | undefined {
  if (path === '/v1/chat/completions') return OPENAI_CHAT;
  if (path === '/v1/messages') return ANTHROPIC_MESSAGES;
  if (path === '/v1/embeddings') return OPENAI_EMBEDDINGS;
  if (path === `${MISTRAL_PREFIX}/chat/completions`) return MISTRAL_CHAT;
  if (path === `${MISTRAL_PREFIX}/embeddings`) return MISTRAL_EMBEDDINGS;
  if (path.startsWith(AZURE_PREFIX)) {
    const rest = path.slice(AZURE_PREFIX.length);
    const slash = rest.indexOf('/');
    if (slash <= 0) return undefined;
    const deployment = decode(rest.slice(0, slash));
    const operation = rest.slice(slash + 1);
    if (operation === 'chat/completions') {
      return { name: 'azure.chat.completions', handler: (ex, ctx) => chatCompletions(ex, ctx, azureDialect, deployment) };
    }
    if (operation === 'embeddings') {
      return { name: 'azure.embeddings', handler: (ex, ctx) => embeddings(ex, ctx, azureDialect, deployment) };
    }
    return undefined;
  }
  if (path.startsWith(BEDROCK_PREFIX)) {
    const rest = path.slice(BEDROCK_PREFIX.length);
    const slash = rest.lastIndexOf('/');
    if (slash <= 0) return undefined;
    const model = decode(rest.slice(0, slash));
    const operation = rest.slice(slash + 1);
    if (operation === 'converse') return { name: 'bedrock.converse', handler: (ex, ctx) => converse(ex, ctx, model, false) };
    if (operation === 'converse-stream') return { name: 'bedrock.converseStream', handler: (ex, ctx) => converse(ex, ctx, model, true) };
    return undefined;
  }
  for (const prefix of GEMINI_PREFIXES) {
    if (!path.startsWith(prefix)) continue;
    const rest = path.slice(prefix.length);
    const colon = rest.lastIndexOf(':');
    if (colon <= 0) return undefined;
    const model = decode(rest.slice(0, colon));
    switch (rest.slice(colon + 1)) {
      case 'generateContent':
        return { name: 'gemini.generateContent', handler: (ex, ctx) => generateContent(ex, ctx, model, false) };
      case 'streamGenerateContent':
        return { name: 'gemini.streamGenerateContent', handler: (ex, ctx) => generateContent(ex, ctx, model, true) };
      case 'batchEmbedContents':
        return { name: 'gemini.batchEmbedContents', handler: (ex, ctx) => embedContents(ex, ctx, true) };
      case 'embedContent':
        return { name: 'gemini.embedContent', handler: (ex, ctx) => embedContents(ex, ctx, false) };
      default:
        return undefined;
    }
  }
  return undefined;
}

function decode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** The error shape a stray request gets: the format its path suggests. */
function notFoundBody(path: string, message: string): unknown {
  if (path.startsWith('/v1/messages')) return anthropicDialect.errorBody(404, message);
  if (path.startsWith('/v1beta/')) return geminiDialect.errorBody(404, message);
  if (path.startsWith(AZURE_PREFIX)) return azureDialect.errorBody(404, message);
  if (path.startsWith(BEDROCK_PREFIX)) return bedrockDialect.errorBody(404, message);
  if (path.startsWith(MISTRAL_PREFIX)) return mistralDialect.errorBody(404, message);
  return openaiDialect.errorBody(404, message);
}

export function createFakeProviderServer(options: FakeProviderOptions = {}): FakeProviderServer {
  const host = options.host ?? '127.0.0.1';
  const stats = new FakeStats();
  const scenario = new Scenario();
  const ctx: ModelContext = { stats, scenario, gathering: new Gathering(), maxBodyBytes: options.maxBodyBytes ?? 32 * 1024 * 1024 };

  const onRequest = (req: FakeRequest, res: FakeResponse): void => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q === -1 ? url : url.slice(0, q);
    const ex = new Exchange(req, res, path, q === -1 ? '' : url.slice(q + 1));
    if (path.startsWith('/_fake/')) {
      handleAdmin(ex, ctx).catch((err: unknown) => fail(ex, err));
      return;
    }
    const route = matchRoute(path);
    stats.track(route?.name ?? 'unknown', ex);
    if (route === undefined) {
      req.resume();
      sendJson(ex, 404, notFoundBody(path, `Unknown route: ${req.method} ${path}`));
      return;
    }
    if (req.method !== 'POST') {
      req.resume();
      sendJson(ex, 405, notFoundBody(path, `Method ${req.method} not allowed; use POST`), { allow: 'POST' });
      return;
    }
    route.handler(ex, ctx).catch((err: unknown) => fail(ex, err));
  };

  const server = createServer({ keepAliveTimeout: options.keepAliveTimeoutMs ?? 65_000 }, onRequest);
  // The headers timeout must outlast the keep-alive timeout, or Node cuts idle sockets early.
  server.headersTimeout = (options.keepAliveTimeoutMs ?? 65_000) + 5_000;

  // Node's defaults otherwise: no idle timeout, as the HTTP/1.1 listener's keep-alive outlasts clients'.
  const h2cServer = createHttp2Server(onRequest);
  const sessions = new Set<ServerHttp2Session>();
  h2cServer.on('session', (session) => {
    sessions.add(session);
    session.once('close', () => sessions.delete(session));
  });

  return {
    server,
    h2cServer,
    stats,
    scenario,
    listen: (port = 0) => listenOn(server, host, port),
    listenH2c: (port = 0) => listenOn(h2cServer, host, port),
    async close() {
      const closing: Promise<void>[] = [];
      if (server.listening) {
        closing.push(new Promise((resolve) => server.close(() => resolve())));
        server.closeAllConnections();
      }
      if (h2cServer.listening) {
        closing.push(new Promise((resolve) => h2cServer.close(() => resolve())));
        for (const session of sessions) session.destroy();
      }
      await Promise.all(closing);
    },
  };
}

function listenOn(server: Server | Http2Server, host: string, port: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/** A bug in the fake: answer 500 if nothing was sent yet, else drop the connection. */
function fail(ex: Exchange, err: unknown): void {
  process.stderr.write(`fake-provider: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  if (!ex.res.headersSent) sendJson(ex, 500, { error: { message: 'fake-provider internal error' } });
  else ex.destroySocket(false);
}
