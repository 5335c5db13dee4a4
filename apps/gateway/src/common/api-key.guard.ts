import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { HubErrors } from '@llm-connector-hub/core';
import { GATEWAY_CONFIG } from '../config/config.tokens';

/**
 * Gateway keys: when any are configured, `Authorization: Bearer <key>` must match one. Keys are
 * compared as SHA-256 digests with timingSafeEqual (equal lengths, constant time), and every
 * configured key is checked, so timing reveals neither the key nor which one matched.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly digests: Buffer[];

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.digests = config.auth.apiKeys.map(digest);
  }

  canActivate(context: ExecutionContext): boolean {
    this.authenticate(context.switchToHttp().getRequest<FastifyRequest>());
    return true;
  }

  /** Throws a 401 HubError unless the request carries a configured key; sets `request.tenant`. */
  authenticate(request: FastifyRequest): void {
    if (this.digests.length === 0) return;
    const header = request.headers.authorization;
    // The scheme is case-insensitive (RFC 9110 §11.1): `bearer <key>` is as good as `Bearer <key>`.
    if (typeof header !== 'string' || !/^bearer /i.test(header)) throw HubErrors.unauthorized();
    const presented = digest(header.slice(7).trim());
    let match = false;
    for (const key of this.digests) match = timingSafeEqual(key, presented) || match;
    if (!match) throw HubErrors.unauthorized('Invalid API key.');
    // The caller's isolation key (the cache namespaces answers by it): part of the key's digest,
    // never the key itself, so nothing secret reaches Redis key names or logs.
    request.tenant = presented.toString('hex', 0, 8);
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard when gateway keys are configured: a digest of the caller's key. */
    tenant?: string;
  }
}

function digest(key: string): Buffer {
  return createHash('sha256').update(key).digest();
}
