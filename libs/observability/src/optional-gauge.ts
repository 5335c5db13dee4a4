import { Gauge, type Registry } from 'prom-client';

/**
 * An unlabelled gauge that is absent from the output until it has a value. prom-client prints an
 * unlabelled gauge as 0 from the moment it is registered, which would read as "memory limit 0"
 * on a pod without a limit, or "Redis down" on a gateway without Redis. So it registers itself
 * on the first value and unregisters when the value goes away.
 */
export class OptionalGauge {
  private readonly gauge: Gauge;
  private readonly name: string;
  private registered = false;

  constructor(
    private readonly registry: Registry,
    config: { name: string; help: string },
  ) {
    this.name = config.name;
    this.gauge = new Gauge({ name: config.name, help: config.help, registers: [] });
  }

  /** `undefined` (or a non-finite number) removes the gauge from the output. */
  set(value: number | undefined): void {
    if (value === undefined || !Number.isFinite(value)) {
      if (this.registered) this.registry.removeSingleMetric(this.name);
      this.registered = false;
      return;
    }
    if (!this.registered) {
      this.registry.registerMetric(this.gauge);
      this.registered = true;
    }
    this.gauge.set(value);
  }
}
