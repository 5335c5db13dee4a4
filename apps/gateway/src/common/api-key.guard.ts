import { type CanActivate, type ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { HubErrors, type HubError } from '@llm-connector-hub/core';
import { GATEWAY_CONFIG } from '../config/config.tokens';
import { matchesAny, presentedDigest, tokenDigest } from './bearer-token';

/**
 * Gateway keys: when any are configured, the key presented must match one, compared in constant
 * time (bearer-token.ts). It comes as `Authorization: Bearer <key>` (OpenAI's clients) or as
 * `x-api-key: <key>` (Anthropic's clients and Claude Code's ANTHROPIC_API_KEY); when both are
 * sent, x-api-key is the one checked.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly digests: Buffer[];

  constructor(@Inject(GATEWAY_CONFIG) config: GatewayConfig) {
    this.digests = config.auth.apiKeys.map(tokenDigest);
  }

  canActivate(context: ExecutionContext): boolean {
    const refusal = this.refusal(context.switchToHttp().getRequest<FastifyRequest>());
    if (refusal) throw refusal;
    return true;
  }

  /**
   * The 401 for a request without a configured key, else undefined (and `request.tenant` set):
   * the Nest guard above, and the model routes' preValidation hook (model-routes.ts).
   */
  refusal(request: FastifyRequest): HubError | undefined {
    if (this.digests.length === 0) return undefined;
    const presented = apiKeyDigest(request.headers['x-api-key']) ?? presentedDigest(request.headers.authorization);
    if (presented === undefined) return HubErrors.unauthorized();
    if (!matchesAny(this.digests, presented)) return HubErrors.unauthorized('Invalid API key.');
    // The caller's isolation key (the cache namespaces answers by it): part of the key's digest,
    // never the key itself, so nothing secret reaches Redis key names or logs.
    request.tenant = presented.toString('hex', 0, 8);
    return undefined;
  }
}

/** The digest of an `x-api-key` header's key, or undefined when there is none. */
function apiKeyDigest(header: string | string[] | undefined): Buffer | undefined {
  if (typeof header !== 'string' || header.trim().length === 0) return undefined;
  return tokenDigest(header.trim());
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by ApiKeyGuard when gateway keys are configured: a digest of the caller's key. */
    tenant?: string;
  }
}
