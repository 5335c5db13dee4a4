/** Response header naming the provider instance that served the request. */
export const PROVIDER_HEADER = 'x-llm-hub-provider';
export const REQUEST_ID_HEADER = 'x-request-id';
