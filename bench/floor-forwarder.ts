/**
 * The benchmark's floor: the least a forwarding proxy can do in Node.js. A bare node:http server
 * that reads the request body, POSTs it unchanged to the upstream (the fake provider) over a
 * keep-alive undici Pool, and streams the upstream status and body back (SSE included).
 * No parsing, no validation, no translation: whatever the gateway costs above this is its own.
 *
 * Runs as a process, like the gateway: `UPSTREAM_URL=http://127.0.0.1:N PORT=0 node
 * dist/bench/floor-forwarder.js` prints `{"msg":"listening","port":N}` once ready and exits 0 on
 * SIGTERM. UPSTREAM_API_KEY, when set, is sent as `authorization: Bearer <key>` (as the gateway
 * sends its provider key). UPSTREAM_HTTP2 (auto, on, off; default auto) and UPSTREAM_MAX_CONCURRENT
 * (default the gateway's per-provider default) give its pool the gateway's protocol and size.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';
import { hubConfigSchema } from '@llm-connector-hub/assembly';
import { HTTP2_MODES, poolCapacityOptions, type Http2Mode } from '@llm-connector-hub/providers';

/** Response headers that describe one hop only; Node sets its own. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-connection']);

function main(): void {
  const upstream = process.env.UPSTREAM_URL;
  if (!upstream) throw new Error('UPSTREAM_URL is required');
  const apiKey = process.env.UPSTREAM_API_KEY;
  const http2 = (process.env.UPSTREAM_HTTP2 || 'auto') as Http2Mode;
  if (!HTTP2_MODES.includes(http2)) throw new Error(`UPSTREAM_HTTP2 must be one of ${HTTP2_MODES.join(', ')}`);
  const maxConcurrent = process.env.UPSTREAM_MAX_CONCURRENT ? Number(process.env.UPSTREAM_MAX_CONCURRENT) : undefined;
  // Same pool settings as the gateway's provider transport (libs/providers/src/shared/http-transport.ts).
  const origin = new URL(upstream);
  const pool = new Pool(origin.origin, { ...poolCapacityOptions(origin, { maxConcurrent, http2 }), keepAliveTimeout: 60_000, headersTimeout: 0, bodyTimeout: 0 });

  const server = createServer({ keepAliveTimeout: 65_000 }, (req, res) => forward(pool, apiKey, req, res));

  // The gateway's listen backlog, so that a burst of new connections meets the same kernel queue.
  const backlog = hubConfigSchema.parse({}).server.listenBacklog;
  server.listen({ port: Number(process.env.PORT ?? 0), host: '127.0.0.1', backlog }, () => {
    const { port } = server.address() as AddressInfo;
    process.stdout.write(`${JSON.stringify({ msg: 'listening', port })}\n`);
  });

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => process.exit(0), 2_000).unref();
    server.close();
    server.closeAllConnections();
    void pool.close().finally(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

function forward(pool: Pool, apiKey: string | undefined, req: IncomingMessage, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const headers: Record<string, string> = { 'content-type': req.headers['content-type'] ?? 'application/json' };
    if (req.headers.accept) headers.accept = req.headers.accept;
    if (apiKey) headers.authorization = `Bearer ${apiKey}`;
    const abort = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) abort.abort();
    });
    // pool.stream writes the upstream body straight into our response, chunk by chunk.
    pool
      .stream(
        { path: req.url ?? '/', method: 'POST', headers, body: Buffer.concat(chunks), signal: abort.signal },
        ({ statusCode, headers: upstreamHeaders }) => {
          const out: Record<string, string | string[]> = {};
          for (const [name, value] of Object.entries(upstreamHeaders)) {
            if (value !== undefined && !HOP_BY_HOP.has(name)) out[name] = value;
          }
          res.writeHead(statusCode, out);
          return res;
        },
      )
      .catch((error: unknown) => {
        if (abort.signal.aborted) return;
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ error: { message: `floor: upstream failed: ${String(error)}`, type: 'server_error' } }));
        } else {
          res.destroy();
        }
      });
  });
}

main();
