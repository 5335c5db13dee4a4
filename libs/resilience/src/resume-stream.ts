/**
 * Yields a first result already read (by a layer that had to see it before committing: retry,
 * fallback) and then the rest of the iterator. Errors after the first chunk propagate untouched;
 * a consumer that stops early (return()) closes the inner iterator, so the upstream is released.
 */
export async function* resumeStream<T>(first: IteratorResult<T>, iterator: AsyncIterator<T>): AsyncGenerator<T> {
  if (first.done) return;
  let finished = false;
  try {
    yield first.value;
    for (;;) {
      const result = await iterator.next();
      if (result.done) {
        finished = true;
        return;
      }
      yield result.value;
    }
  } catch (error) {
    finished = true; // the inner iterator threw, so it is closed already
    throw error;
  } finally {
    if (!finished) await iterator.return?.();
  }
}
