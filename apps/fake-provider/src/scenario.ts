/** A failure injected through `POST /_fake/scenario`, for resilience tests that cannot edit prompts. */
export interface ScenarioFailure {
  status: number;
  retryAfter?: number;
  /** Destroy the connection instead of answering (a connection reset). */
  reset?: boolean;
  /** Never answer (a hung upstream), until the client gives up. */
  hang?: boolean;
}

export interface ScenarioState {
  failNext: number;
  failEvery: number;
  reset: boolean;
  hang: boolean;
  status: number;
  retryAfter: number | null;
}

const DEFAULT_STATUS = 500;

export class Scenario {
  private failNext = 0;
  /** Every Nth model request fails, indefinitely (0 = off): 2 fails half of them. */
  private failEvery = 0;
  private seen = 0;
  private status = DEFAULT_STATUS;
  private retryAfter: number | undefined;
  private resetConnection = false;
  private hang = false;

  /** Replaces the scenario; returns an error message when the input is invalid. */
  set(input: unknown): string | undefined {
    if (typeof input !== 'object' || input === null || Array.isArray(input)) return 'scenario must be a JSON object';
    const { failNext = 0, failEvery = 0, status = DEFAULT_STATUS, retryAfter, reset = false, hang = false } = input as Record<string, unknown>;
    if (typeof reset !== 'boolean') return 'reset must be a boolean';
    if (typeof hang !== 'boolean') return 'hang must be a boolean';
    if (!Number.isInteger(failNext) || (failNext as number) < 0) return 'failNext must be a non-negative integer';
    if (!Number.isInteger(failEvery) || (failEvery as number) < 0) return 'failEvery must be a non-negative integer';
    if (!Number.isInteger(status) || (status as number) < 400 || (status as number) > 599) {
      return 'status must be an integer from 400 to 599';
    }
    if (retryAfter !== undefined && retryAfter !== null && (typeof retryAfter !== 'number' || !(retryAfter >= 0))) {
      return 'retryAfter must be a non-negative number';
    }
    this.failNext = failNext as number;
    this.failEvery = failEvery as number;
    this.seen = 0;
    this.status = status as number;
    this.retryAfter = typeof retryAfter === 'number' ? retryAfter : undefined;
    this.resetConnection = reset;
    this.hang = hang;
    return undefined;
  }

  /** Consumes one injected failure, if any remain. */
  take(): ScenarioFailure | undefined {
    if (this.failEvery > 0) {
      this.seen++;
      if (this.seen % this.failEvery === 0) return { status: this.status, retryAfter: this.retryAfter, reset: this.resetConnection, hang: this.hang };
    }
    if (this.failNext === 0) return undefined;
    this.failNext--;
    return { status: this.status, retryAfter: this.retryAfter, reset: this.resetConnection, hang: this.hang };
  }

  reset(): void {
    this.failNext = 0;
    this.failEvery = 0;
    this.seen = 0;
    this.resetConnection = false;
    this.hang = false;
    this.status = DEFAULT_STATUS;
    this.retryAfter = undefined;
  }

  state(): ScenarioState {
    return { failNext: this.failNext, failEvery: this.failEvery, reset: this.resetConnection, hang: this.hang, status: this.status, retryAfter: this.retryAfter ?? null };
  }
}
