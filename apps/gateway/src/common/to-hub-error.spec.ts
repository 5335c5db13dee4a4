import {
  BadRequestException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { HubError, HubErrors, toOpenAIErrorBody, upstreamHttpError } from '@llm-connector-hub/core';
import { toHubError } from './to-hub-error';

function request(overrides: { method?: string; url?: string; contentType?: string; bodyLimit?: number } = {}): FastifyRequest {
  return {
    method: overrides.method ?? 'POST',
    url: overrides.url ?? '/v1/chat/completions',
    headers: overrides.contentType ? { 'content-type': overrides.contentType } : {},
    server: { initialConfig: { bodyLimit: overrides.bodyLimit ?? 1024 } },
  } as unknown as FastifyRequest;
}

function fastifyError(code: string, message: string, statusCode: number): Error {
  return Object.assign(new Error(message), { code, statusCode });
}

describe('toHubError', () => {
  it('passes a HubError through as it is', () => {
    const upstream = upstreamHttpError('openai', 429, 'slow down', 3);
    expect(toHubError(upstream, request())).toBe(upstream);
    const notFound = HubErrors.modelNotFound('gpt-9');
    expect(toHubError(notFound, request())).toBe(notFound);
  });

  it('maps a 404 to route_not_found naming the method and the path without its query', () => {
    const error = toHubError(new NotFoundException('Cannot GET /v1/nope?key=secret'), request({ method: 'GET', url: '/v1/nope?key=secret' }));
    expect(error).toMatchObject({ status: 404, type: 'invalid_request_error', code: 'route_not_found', message: 'No route for GET /v1/nope.' });
  });

  it('maps a 405 to method_not_allowed', () => {
    const error = toHubError(new HttpException('Method Not Allowed', 405), request({ method: 'DELETE' }));
    expect(error).toMatchObject({ status: 405, code: 'method_not_allowed', message: 'Method DELETE is not allowed here.' });
  });

  it("maps a 413 to payload_too_large with the gateway's limit", () => {
    expect(toHubError(new PayloadTooLargeException(), request(), 2048)).toMatchObject({
      status: 413,
      code: 'payload_too_large',
      message: 'Request body is larger than the limit of 2048 bytes.',
    });
    expect(toHubError(new PayloadTooLargeException(), request({ bodyLimit: 4096 })).message).toContain('4096 bytes');
    expect(toHubError(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 'Request body is too large', 413), request(), 10).message).toContain('10 bytes');
  });

  it('maps a 415 to unsupported_media_type naming the content type sent', () => {
    expect(toHubError(new UnsupportedMediaTypeException(), request({ contentType: 'text/plain' }))).toMatchObject({
      status: 415,
      code: 'unsupported_media_type',
      message: "Content-Type must be application/json, got 'text/plain'.",
    });
    expect(toHubError(fastifyError('FST_ERR_CTP_INVALID_MEDIA_TYPE', 'Unsupported Media Type', 415), request()).message).toBe(
      'Content-Type must be application/json.',
    );
  });

  it('maps a 400 to invalid_body with its message', () => {
    expect(toHubError(new BadRequestException("Body cannot be empty when content-type is set to 'application/json'"), request())).toMatchObject({
      status: 400,
      code: 'invalid_body',
      param: null,
      message: "Invalid request body: Body cannot be empty when content-type is set to 'application/json'.",
    });
  });

  it("maps Fastify's body parsing errors by their code", () => {
    expect(toHubError(fastifyError('FST_ERR_CTP_EMPTY_JSON_BODY', 'empty', 400), request())).toMatchObject({ status: 400, code: 'invalid_body' });
    expect(toHubError(fastifyError('FST_ERR_CTP_INVALID_JSON_BODY', "Body is not valid JSON but content-type is set to 'application/json'", 400), request())).toMatchObject({
      status: 400,
      code: 'invalid_body',
      message: 'The request body is not valid JSON.',
    });
    expect(toHubError(fastifyError('FST_ERR_CTP_INVALID_CONTENT_LENGTH', 'bad length', 400), request())).toMatchObject({ code: 'invalid_body' });
  });

  it('maps a JSON SyntaxError to invalid_body, with its detail', () => {
    let syntax: unknown;
    try {
      JSON.parse('{"model":');
    } catch (error) {
      syntax = error;
    }
    const error = toHubError(syntax, request());
    expect(error).toMatchObject({ status: 400, code: 'invalid_body' });
    expect(error.message).toMatch(/^The request body is not valid JSON: /);
  });

  it('keeps the status of other 4xx HttpExceptions, under the catalogue code for them', () => {
    expect(toHubError(new ForbiddenException('Forbidden resource'), request())).toMatchObject({
      status: 403,
      type: 'invalid_request_error',
      code: 'request_refused',
      message: 'Forbidden resource',
    });
  });

  it.each([
    ['an Error', new Error('connect ECONNREFUSED 10.0.0.5:5432 password=hunter2')],
    ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'choices')")],
    ['a 500 HttpException', new InternalServerErrorException('pool exhausted at db.internal')],
    ['an object with statusCode 500', { statusCode: 500, message: 'internal detail' }],
    ['a string', 'internal detail'],
    ['undefined', undefined],
    ['null', null],
  ])('answers %s with a generic 500 that reveals nothing', (_, thrown) => {
    const error = toHubError(thrown, request());
    expect(error).toBeInstanceOf(HubError);
    expect(toOpenAIErrorBody(error)).toEqual({
      error: { message: 'The gateway failed to handle the request.', type: 'api_error', param: null, code: 'internal_error' },
    });
    expect(error.status).toBe(500);
  });
});
