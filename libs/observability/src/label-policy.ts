/** Label value for a provider or model the config does not know. */
export const OTHER_LABEL = 'other';
/** Label value when there is no provider or model: the request failed before routing. */
export const NONE_LABEL = 'none';

export interface LabelPolicyOptions {
  /** Configured provider names. */
  providers: readonly string[];
  /** Models the config knows: every provider's `models` list and every alias target. */
  models: readonly string[];
}

/**
 * Keeps `provider` and `model` label values bounded: anything the config does not name becomes
 * `other`, so a client sending made-up model names cannot grow the number of series (each one
 * costs memory here and in Prometheus). One Set lookup per call: it runs on every request.
 */
export class LabelPolicy {
  private readonly providers: ReadonlySet<string>;
  private readonly models: ReadonlySet<string>;

  constructor(options: LabelPolicyOptions) {
    // `other` and `none` map to themselves: the mapping is idempotent, so a caller that already
    // mapped its labels (for a log line, say) can hand them to GatewayMetrics, which maps again.
    this.providers = new Set([...options.providers, OTHER_LABEL, NONE_LABEL]);
    this.models = new Set([...options.models, OTHER_LABEL, NONE_LABEL]);
  }

  provider(name: string | undefined): string {
    if (name === undefined || name === '') return NONE_LABEL;
    return this.providers.has(name) ? name : OTHER_LABEL;
  }

  model(name: string | undefined): string {
    if (name === undefined || name === '') return NONE_LABEL;
    return this.models.has(name) ? name : OTHER_LABEL;
  }
}
