import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { readResourceLimits } from './resource-limits';

describe('readResourceLimits', () => {
  let root: string;
  beforeEach(() => (root = mkdtempSync(join(tmpdir(), 'cgroup-'))));
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };

  it('reads the limits from env first (the Helm chart sets them from the Downward API)', () => {
    write('memory.max', '1073741824\n');
    write('cpu.max', '100000 100000\n');
    const env = { LLM_HUB_MEMORY_LIMIT_BYTES: '536870912', LLM_HUB_CPU_LIMIT_CORES: '2' };
    expect(readResourceLimits(env, root)).toEqual({ memoryBytes: 536870912, cpuCores: 2 });
  });

  it('reads a CPU limit in millicores (the chart uses divisor 1m, which keeps fractions of a core)', () => {
    write('cpu.max', 'max 100000\n');
    expect(readResourceLimits({ LLM_HUB_CPU_LIMIT_MILLICORES: '1500' }, root)).toEqual({ cpuCores: 1.5 });
  });

  it('falls back to cgroup when an env value is empty or not a positive number', () => {
    write('memory.max', '1073741824\n');
    write('cpu.max', '50000 100000\n');
    expect(readResourceLimits({ LLM_HUB_MEMORY_LIMIT_BYTES: '', LLM_HUB_CPU_LIMIT_CORES: 'lots' }, root)).toEqual({
      memoryBytes: 1073741824,
      cpuCores: 0.5,
    });
  });

  it('reads cgroup v2 memory.max and cpu.max', () => {
    write('memory.max', '268435456\n');
    write('cpu.max', '200000 100000\n');
    expect(readResourceLimits({}, root)).toEqual({ memoryBytes: 268435456, cpuCores: 2 });
  });

  it('reads cgroup v2 "max" as unlimited', () => {
    write('memory.max', 'max\n');
    write('cpu.max', 'max 100000\n');
    expect(readResourceLimits({}, root)).toEqual({});
  });

  it('reads cgroup v1 limit_in_bytes and cfs quota / period', () => {
    write('memory/memory.limit_in_bytes', '536870912\n');
    write('cpu/cpu.cfs_quota_us', '150000\n');
    write('cpu/cpu.cfs_period_us', '100000\n');
    expect(readResourceLimits({}, root)).toEqual({ memoryBytes: 536870912, cpuCores: 1.5 });
  });

  it('reads cgroup v1 huge limit and quota -1 as unlimited', () => {
    write('memory/memory.limit_in_bytes', '9223372036854771712\n');
    write('cpu,cpuacct/cpu.cfs_quota_us', '-1\n');
    write('cpu,cpuacct/cpu.cfs_period_us', '100000\n');
    expect(readResourceLimits({}, root)).toEqual({});
  });

  it('returns no limits outside a container (no cgroup files)', () => {
    expect(readResourceLimits({}, join(root, 'missing'))).toEqual({});
  });
});
