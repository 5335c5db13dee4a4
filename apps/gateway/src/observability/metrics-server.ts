import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubErrors, hubError, toOpenAIErrorBody, type HubError } from '@llm-connector-hub/core';
import { REQUEST_ID_HEADER } from '../common/headers';
import { matchesAny, presentedDigest, tokenDigest } from '../common/bearer-token';

export interface MetricsServerOptions {
  host: string;
  port: number;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  token?: string;
  maxConnections: number;
  requestTimeoutMs: number;
  /** The text to serve, and its Content-Type. */
  exposition: () => Promise<string>;
  contentType: string;
  /** Called when writing the exposition fails (the scraper gets a 500 without details). */
  onError: (error: unknown) => void;
}

const PATH = '/metrics';

/**
 * GET /metrics on a listener of its own, so the API port never serves it (metrics show traffic,
 * spend, model names and versions) and a NetworkPolicy can open it to Prometheus alone. A bare
 * node:http server rather than a second Fastify: one route, no body, nothing else to serve; errors
 * in OpenAI's shape with an x-request-id, like the API's.
 */
export class MetricsServer {
  private readonly server: Server;
  private readonly digests: Buffer[];

  constructor(private readonly options: MetricsServerOptions) {
    this.digests = options.token === undefined ? [] : [tokenDigest(options.token)];
    // Node checks requestTimeout and headersTimeout every connectionsCheckingInterval (30 s by
    // default): every second keeps a request trickling in byte by byte close to its bound.
    this.server = createServer({ connectionsCheckingInterval: 1000 }, (request, response) => void this.handle(request, response));
    this.server.maxConnections = options.maxConnections;
    // headersTimeout must not exceed requestTimeout; `timeout` (inactivity) bounds a silent
    // connection and a reader that stops reading the answer.
    this.server.requestTimeout = options.requestTimeoutMs;
    this.server.headersTimeout = options.requestTimeoutMs;
    this.server.timeout = options.requestTimeoutMs;
  }

  /** Resolves with the port listened on (the chosen one when options.port is 0). */
  listen(): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  /** Stops listening and closes every connection, kept-alive scrapes included. */
  close(): Promise<void> {
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    response.setHeader(REQUEST_ID_HEADER, randomUUID());
    const path = (request.url ?? '').split('?', 1)[0];
    if (path !== PATH) return sendError(response, notFound());
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      return sendError(response, methodNotAllowed(request.method ?? ''));
    }
    if (this.digests.length > 0) {
      const presented = presentedDigest(request.headers.authorization);
      if (presented === undefined || !matchesAny(this.digests, presented)) {
        response.setHeader('www-authenticate', 'Bearer realm="metrics"');
        return sendError(response, HubErrors.unauthorized('Missing or invalid metrics token. Send it as "Authorization: Bearer <token>".'));
      }
    }
    let text: string;
    try {
      text = await this.options.exposition();
    } catch (error) {
      this.options.onError(error);
      return sendError(response, hubError('internal_error', { during: 'metrics' }));
    }
    response.writeHead(200, { 'content-type': this.options.contentType, 'content-length': Buffer.byteLength(text) });
    response.end(request.method === 'HEAD' ? undefined : text);
  }
}

function notFound(): HubError {
  return hubError('route_not_found', { only: `GET ${PATH}` });
}

function methodNotAllowed(method: string): HubError {
  return hubError('method_not_allowed', { detail: `${PATH} answers GET and HEAD${/^[A-Z]{1,16}$/.test(method) ? `, not ${method}` : ''}.` });
}

function sendError(response: ServerResponse, error: HubError): void {
  const body = JSON.stringify(toOpenAIErrorBody(error));
  response.writeHead(error.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
  response.end(body);
}
