/** Where batches go: sonic-boom (pino.destination), or anything with the same three calls. */
export interface LineSink {
  write(data: string): unknown;
  flush(callback?: (error?: Error | null) => void): void;
  flushSync(): void;
}

/**
 * Collects log lines and passes them on in batches of at least `minChars` characters (and on
 * flush). Written by hand because sonic-boom's own batching (its `minLength`) costs O(batch) per
 * line: each write() takes `Buffer.byteLength` of the whole pending string, which flattens the
 * string it keeps appending to; collecting the lines here and joining them once per batch costs a
 * fraction of that per line (docs/benchmarks.md#measurements-behind-code-choices).
 *
 * Every line of the process goes through one batcher, so lines keep their order.
 */
export class LineBatcher {
  private lines: string[] = [];
  private chars = 0;

  constructor(
    private readonly sink: LineSink,
    private readonly minChars: number,
  ) {}

  write(line: string): void {
    this.lines.push(line);
    this.chars += line.length;
    if (this.chars >= this.minChars) this.drain();
  }

  /** Hands every collected line to the sink and has it write them out (asynchronously); pino's `logger.flush(cb)` lands here. */
  flush(callback?: (error?: Error | null) => void): void {
    this.drain();
    this.sink.flush(callback);
  }

  /** The same, synchronously: for process exit. */
  flushSync(): void {
    this.drain();
    this.sink.flushSync();
  }

  /** Hands every collected line to the sink, which writes when it is ready. */
  drain(): void {
    if (this.lines.length === 0) return;
    const batch = this.lines.length === 1 ? this.lines[0] : this.lines.join('');
    this.lines = [];
    this.chars = 0;
    this.sink.write(batch);
  }
}
