import { HubErrors, isHubError } from '@llm-connector-hub/core';

/**
 * One AbortController per call that fires when the caller's signal aborts or the timeout
 * passes, whichever is first. Hand-rolled instead of AbortSignal.any + AbortSignal.timeout so the
 * timer and the listener are removed the moment the call ends (no timers kept alive per request)
 * and so we can tell a timeout from a caller that left.
 */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly endsAt: number;
  private timedOut = false;

  constructor(
    readonly timeoutMs: number,
    private readonly caller?: AbortSignal,
  ) {
    this.endsAt = Date.now() + timeoutMs;
    this.timer = setTimeout(() => {
      this.timedOut = true;
      this.controller.abort(new DOMException(`timed out after ${timeoutMs} ms`, 'TimeoutError'));
    }, timeoutMs);
    this.timer.unref?.();
    if (caller) {
      if (caller.aborted) this.onCallerAbort();
      else caller.addEventListener('abort', this.onCallerAbort, { once: true });
    }
  }

  /** Time left before the call times out, in ms (0 when past). Retries use it to bound their waits. */
  remainingMs(now = Date.now()): number {
    return Math.max(0, this.endsAt - now);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Maps an error raised because our signal aborted into the HubError the caller should see. */
  translate(error: unknown, provider: string): unknown {
    if (!this.controller.signal.aborted || error !== this.controller.signal.reason) return error;
    if (this.timedOut) return HubErrors.upstreamTimeout(provider, this.timeoutMs);
    // A caller may abort with a HubError of its own (the gateway does on shutdown): keep it.
    const reason: unknown = this.caller?.reason;
    return isHubError(reason) ? reason : HubErrors.clientClosed();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.caller?.removeEventListener('abort', this.onCallerAbort);
  }

  private readonly onCallerAbort = () => {
    clearTimeout(this.timer);
    this.controller.abort(this.caller?.reason ?? new DOMException('aborted', 'AbortError'));
  };
}
