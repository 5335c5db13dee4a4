/**
 * A request in the client's own API dialect, carried beside the canonical one so a provider that
 * speaks that dialect can send it upstream as it came, with nothing lost in a round trip through
 * the canonical format (Anthropic's thinking signatures, `cache_control`, beta features).
 *
 * It is never read from a request body: a route that serves a dialect builds it from what it
 * received and hands it to the hub beside the canonical request (HubCallOptions.native). Every
 * provider that does not speak the dialect serves the canonical request as usual.
 */
export interface NativeRequest {
  /** The API dialect of `body`, e.g. NATIVE_DIALECTS.anthropicMessages. */
  readonly dialect: string;
  /** The client's body as parsed. The provider sets `model` (the target's) and `stream` (the call's) and sends the rest untouched. */
  readonly body: Readonly<Record<string, unknown>>;
  /**
   * Headers of the client's request that belong to the dialect (lower-case names). The provider
   * forwards only those its dialect declares safe; credentials are never among them.
   */
  readonly headers: Readonly<Record<string, string>>;
}

/** The dialects a route may hand over natively. */
export const NATIVE_DIALECTS = {
  /** Anthropic's `POST /v1/messages` body and its `anthropic-version` / `anthropic-beta` headers. */
  anthropicMessages: 'anthropic-messages',
} as const;

/** A whole upstream answer in the request's dialect, as the upstream sent it (parsed JSON). */
export interface NativeAnswer {
  readonly dialect: string;
  readonly body: unknown;
}

/** One upstream stream event, verbatim: its SSE event name and its data exactly as received. */
export interface NativeEvent {
  readonly event?: string;
  readonly data: string;
}
