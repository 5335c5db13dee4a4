/** `/_fake/*`: what tests use to observe the fake and to inject failures without editing prompts. */
import type { Exchange } from './exchange';
import { readJsonBody, sendJson } from './http-io';
import type { Scenario } from './scenario';
import type { FakeStats } from './stats';

export interface AdminContext {
  stats: FakeStats;
  scenario: Scenario;
  maxBodyBytes: number;
}

export async function handleAdmin(ex: Exchange, ctx: AdminContext): Promise<void> {
  const method = ex.req.method;
  switch (ex.path) {
    case '/_fake/stats':
      if (method !== 'GET') return methodNotAllowed(ex, 'GET');
      return sendJson(ex, 200, ctx.stats.snapshot());
    case '/_fake/health':
      if (method !== 'GET') return methodNotAllowed(ex, 'GET');
      return sendJson(ex, 200, { ok: true });
    case '/_fake/reset':
      if (method !== 'POST') return methodNotAllowed(ex, 'POST');
      ex.req.resume(); // any body is ignored
      ctx.stats.reset();
      ctx.scenario.reset();
      return sendJson(ex, 200, { ok: true });
    case '/_fake/scenario': {
      if (method === 'GET') return sendJson(ex, 200, ctx.scenario.state());
      if (method !== 'POST') return methodNotAllowed(ex, 'GET, POST');
      const result = await readJsonBody(ex.req, ctx.maxBodyBytes);
      if (result === undefined) return;
      if (!result.ok) return sendJson(ex, result.status, { error: { message: result.message } });
      const invalid = ctx.scenario.set(result.body);
      if (invalid !== undefined) return sendJson(ex, 400, { error: { message: invalid } });
      return sendJson(ex, 200, ctx.scenario.state());
    }
    default:
      return sendJson(ex, 404, { error: { message: `Unknown admin route: ${ex.path}` } });
  }
}

function methodNotAllowed(ex: Exchange, allow: string): void {
  ex.req.resume();
  sendJson(ex, 405, { error: { message: `Method ${ex.req.method} not allowed; use ${allow}` } }, { allow });
}
