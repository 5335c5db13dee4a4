import type { Exchange } from './exchange';

/** What differs between the wire formats around the reply itself: auth and error shapes. */
export interface Dialect {
  readonly name: 'openai' | 'azure' | 'anthropic' | 'gemini' | 'bedrock' | 'mistral';
  /** The caller's API key, undefined when none was sent. */
  apiKey(ex: Exchange): string | undefined;
  /** A 400 message when a required header or query parameter (not the key) is missing. */
  precheck?(ex: Exchange): string | undefined;
  /** The 401 message for a missing or rejected key. */
  unauthorizedMessage(key: string | undefined): string;
  /** The format's error body for an HTTP status (and an error code, where the format has one). */
  errorBody(status: number, message: string, code?: string): unknown;
  /**
   * Checks a signed request (AWS SigV4) in place of the key check: the status and message of
   * the refusal, or undefined when the signature holds. `body` is the body as received.
   */
  verifySignature?(ex: Exchange, body: string): Promise<{ status: number; message: string } | undefined>;
}

/** The key every format rejects; any other non-empty key is accepted. */
export const BAD_KEY = 'bad-key';
