import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { LineBatcher, type LineSink } from './line-batcher';

class RecordingSink implements LineSink {
  readonly writes: string[] = [];
  flushes = 0;
  syncFlushes = 0;
  write(data: string): void {
    this.writes.push(data);
  }
  flush(callback?: (error?: Error | null) => void): void {
    this.flushes += 1;
    callback?.(null);
  }
  flushSync(): void {
    this.syncFlushes += 1;
  }
}

describe('LineBatcher', () => {
  it('holds lines until they reach the batch size, then passes them on as one write, in order', () => {
    const sink = new RecordingSink();
    const batcher = new LineBatcher(sink, 10);
    batcher.write('aaa\n');
    batcher.write('bbb\n');
    expect(sink.writes).toEqual([]);
    batcher.write('ccc\n');
    expect(sink.writes).toEqual(['aaa\nbbb\nccc\n']);
    batcher.write('ddd\n');
    expect(sink.writes).toEqual(['aaa\nbbb\nccc\n']);
  });

  it('flush() passes on what it holds, however little, and has the sink write it; its callback is called', () => {
    const sink = new RecordingSink();
    const batcher = new LineBatcher(sink, 1000);
    batcher.write('only line\n');
    const done = jest.fn();
    batcher.flush(done);
    expect(sink.writes).toEqual(['only line\n']);
    expect(sink.flushes).toBe(1);
    expect(done).toHaveBeenCalledTimes(1);
    batcher.flush();
    expect(sink.writes).toHaveLength(1); // nothing new: no empty write
  });

  it('flushSync() passes on what it holds and flushes the sink synchronously', () => {
    const sink = new RecordingSink();
    const batcher = new LineBatcher(sink, 1000);
    batcher.write('a\n');
    batcher.write('b\n');
    batcher.flushSync();
    expect(sink.writes).toEqual(['a\nb\n']);
    expect(sink.syncFlushes).toBe(1);
  });

  it('in front of a real sonic-boom under pino: every line arrives, whole and in order', () => {
    const dir = mkdtempSync(join(tmpdir(), 'line-batcher-'));
    try {
      const file = join(dir, 'out.log');
      const destination = pino.destination({ dest: file, sync: true, minLength: 0 });
      const batcher = new LineBatcher(destination, 4096);
      const logger = pino({ base: undefined }, batcher);
      for (let i = 0; i < 500; i += 1) logger.info({ i, text: 'é ✓ line' }, 'request');
      logger.flush();
      batcher.flushSync();
      const lines = readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { i: number; text: string });
      expect(lines.map((line) => line.i)).toEqual(Array.from({ length: 500 }, (_, i) => i));
      expect(lines.every((line) => line.text === 'é ✓ line')).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
