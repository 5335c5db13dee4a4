const DONE: IteratorReturnResult<undefined> = Object.freeze({ done: true, value: undefined });

/**
 * A stream that starts on its first next(): `open` runs then, and its failure rejects that
 * next() (so a caller can still answer with an HTTP error). After that, next() is the opened
 * stream's own, with nothing in between. What ConnectorHub.streamComplete returns.
 */
export class LazyStream<T> implements AsyncIterableIterator<T> {
  private opened: AsyncIterator<T> | undefined;
  private opening: Promise<AsyncIterator<T>> | undefined;
  private finished = false;

  constructor(private readonly open: () => Promise<AsyncIterator<T>>) {}

  next(): Promise<IteratorResult<T>> {
    if (this.opened) return this.opened.next();
    if (this.finished) return Promise.resolve(DONE);
    this.opening ??= this.open().then((stream) => (this.opened = stream));
    return this.opening.then(
      (stream) => stream.next(),
      (error: unknown) => {
        this.finished = true;
        throw error;
      },
    );
  }

  async return(): Promise<IteratorResult<T>> {
    this.finished = true;
    const stream = this.opened ?? (await this.opening?.catch(() => undefined));
    await stream?.return?.();
    return DONE;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}
