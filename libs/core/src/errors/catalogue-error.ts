import { HubError } from './hub-error';
import { ERROR_CATALOGUE, type ErrorCode, type ErrorParams } from './error-catalogue';

/** What an error carries beside its code and message. */
export interface HubErrorDetails {
  /** The request field at fault (`messages[0].role`). */
  param?: string | null;
  /** The provider instance whose failure this is. */
  provider?: string;
  upstreamStatus?: number;
  retryAfterSeconds?: number;
  cause?: unknown;
  /** The status, for the codes whose catalogue status is `'4xx'` (another layer's own client-error status). */
  status?: number;
}

type MessageArgs<C extends ErrorCode> = undefined extends ErrorParams<C> ? [params?: ErrorParams<C>, details?: HubErrorDetails] : [params: ErrorParams<C>, details?: HubErrorDetails];

/** A HubError of a catalogued code: status, type and message from the catalogue, the rest from `details`. */
export function hubError<C extends ErrorCode>(code: C, ...[params, details = {}]: MessageArgs<C>): HubError {
  const definition = ERROR_CATALOGUE[code];
  const message = typeof definition.message === 'string' ? definition.message : (definition.message as (p: unknown) => string)(params);
  const status = definition.status === '4xx' ? (details.status ?? 400) : definition.status;
  return new HubError({ ...details, code, status, type: definition.type, message });
}
