import type { FastifyRequest } from 'fastify';
import { HubErrors } from '@llm-connector-hub/core';
import { TIMEOUT_HEADER } from './headers';

const DIGITS = /^\d{1,9}$/;

/**
 * The request's total timeout: the body's `timeout` field wins, else the x-llm-hub-timeout-ms
 * header; the hub caps either at timeouts.maxMs. A malformed header is a 400, not ignored.
 */
export function applyTimeoutHeader(request: FastifyRequest, body: { timeout?: number }): void {
  const header = request.headers[TIMEOUT_HEADER];
  if (header === undefined || body.timeout !== undefined) return;
  const value = Array.isArray(header) ? header[0] : header;
  if (!DIGITS.test(value) || Number(value) < 1) {
    throw HubErrors.invalidRequest(`The ${TIMEOUT_HEADER} header must be a positive whole number of milliseconds.`, TIMEOUT_HEADER, 'invalid_value');
  }
  body.timeout = Number(value);
}
