import { HubError } from '@llm-connector-hub/core';

export const GatewayErrors = {
  shuttingDown(): HubError {
    return new HubError({
      status: 503,
      type: 'api_error',
      code: 'shutting_down',
      message: 'The gateway is shutting down; retry on another replica.',
      retryAfterSeconds: 1,
    });
  },
  internal(): HubError {
    return new HubError({ status: 500, type: 'api_error', code: 'internal_error', message: 'The gateway failed to handle the request.' });
  },
};
