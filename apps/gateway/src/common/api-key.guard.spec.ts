import type { ExecutionContext } from '@nestjs/common';
import type { GatewayConfig } from '@llm-connector-hub/config';
import { HubError } from '@llm-connector-hub/core';
import { ApiKeyGuard } from './api-key.guard';

function guard(apiKeys: string[]): ApiKeyGuard {
  return new ApiKeyGuard({ auth: { apiKeys } } as unknown as GatewayConfig);
}

function http(authorization?: string, apiKey?: string): ExecutionContext {
  const headers = { ...(authorization === undefined ? {} : { authorization }), ...(apiKey === undefined ? {} : { 'x-api-key': apiKey }) };
  return { switchToHttp: () => ({ getRequest: () => ({ headers }) }) } as unknown as ExecutionContext;
}

function refusal(g: ApiKeyGuard, authorization?: string, apiKey?: string): HubError {
  try {
    g.canActivate(http(authorization, apiKey));
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected the guard to refuse');
}

describe('ApiKeyGuard', () => {
  it('lets every request through when no keys are configured', () => {
    expect(guard([]).canActivate(http())).toBe(true);
    expect(guard([]).canActivate(http('Bearer anything'))).toBe(true);
  });

  it('accepts a configured key sent as a Bearer token', () => {
    expect(guard(['gw-key-1']).canActivate(http('Bearer gw-key-1'))).toBe(true);
  });

  it('accepts any of several configured keys', () => {
    const g = guard(['gw-key-1', 'gw-key-2', 'a-much-longer-third-key-0123456789']);
    expect(g.canActivate(http('Bearer gw-key-1'))).toBe(true);
    expect(g.canActivate(http('Bearer gw-key-2'))).toBe(true);
    expect(g.canActivate(http('Bearer a-much-longer-third-key-0123456789'))).toBe(true);
  });

  it('ignores whitespace around the token and the case of the scheme', () => {
    const g = guard(['gw-key-1']);
    expect(g.canActivate(http('Bearer   gw-key-1  '))).toBe(true);
    expect(g.canActivate(http('bearer gw-key-1'))).toBe(true);
    expect(g.canActivate(http('BEARER gw-key-1'))).toBe(true);
  });

  it('answers 401 invalid_api_key when the header is missing or not a Bearer token', () => {
    const g = guard(['gw-key-1']);
    for (const header of [undefined, '', 'gw-key-1', 'Basic Z3cta2V5LTE6', 'Bearer', 'Bearergw-key-1']) {
      expect(refusal(g, header)).toMatchObject({
        status: 401,
        type: 'authentication_error',
        code: 'invalid_api_key',
        message: 'Missing or invalid API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".',
      });
    }
  });

  it('answers 401 for a wrong key, including a prefix or an extension of a right one', () => {
    const g = guard(['gw-key-1', 'gw-key-2']);
    for (const key of ['gw-key-3', 'gw-key', 'gw-key-12', 'GW-KEY-1', 'Bearer gw-key-1']) {
      expect(refusal(g, `Bearer ${key}`)).toMatchObject({ status: 401, code: 'invalid_api_key', message: 'Invalid API key.' });
    }
  });

  it("accepts a configured key in Anthropic's x-api-key header, which wins over Authorization when both are sent", () => {
    const g = guard(['gw-key-1']);
    expect(g.canActivate(http(undefined, 'gw-key-1'))).toBe(true);
    expect(g.canActivate(http('Bearer wrong', 'gw-key-1'))).toBe(true);
    expect(refusal(g, 'Bearer gw-key-1', 'wrong')).toMatchObject({ status: 401, code: 'invalid_api_key', message: 'Invalid API key.' });
    expect(refusal(g, undefined, '  ')).toMatchObject({ status: 401, code: 'invalid_api_key' });
  });
});
