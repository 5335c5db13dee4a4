import type { Exchange } from './exchange';

/** What differs between the wire formats around the reply itself: auth and error shapes. */
export interface Dialect {
  readonly name: 'openai' | 'azure' | 'anthropic' | 'gemini';
  /** The caller's API key, undefined when none was sent. */
  apiKey(ex: Exchange): string | undefined;
  /** A 400 message when a required header or query parameter (not the key) is missing. */
  precheck?(ex: Exchange): string | undefined;
  /** The 401 message for a missing or rejected key. */
  unauthorizedMessage(key: string | undefined): string;
  /** The format's error body for an HTTP status (and an error code, where the format has one). */
  errorBody(status: number, message: string, code?: string): unknown;
}

/** The key every format rejects; any other non-empty key is accepted. */
export const BAD_KEY = 'bad-key';
