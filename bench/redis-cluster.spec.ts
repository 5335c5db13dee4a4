import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { clusterNodes, findExecutable, redisMissing } from './redis-cluster';

describe('bench Redis Cluster helpers', () => {
  let dir: string;
  let other: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'bench-path-'));
    other = mkdtempSync(join(tmpdir(), 'bench-path-'));
  });
  afterEach(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(other, { recursive: true, force: true });
  });

  const tool = (name: string, mode = 0o755) => {
    const file = join(dir, name);
    writeFileSync(file, '#!/bin/sh\n');
    chmodSync(file, mode);
    return file;
  };

  it('names the six nodes from the port base', () => {
    expect(clusterNodes(7600)).toEqual(['127.0.0.1:7600', '127.0.0.1:7601', '127.0.0.1:7602', '127.0.0.1:7603', '127.0.0.1:7604', '127.0.0.1:7605']);
  });

  it('finds an executable in any PATH directory, and not a file that is not executable', () => {
    const server = tool('redis-server');
    tool('redis-cli', 0o644);
    expect(findExecutable('redis-server', [other, '', dir].join(delimiter))).toBe(server);
    expect(findExecutable('redis-cli', dir)).toBeNull();
    expect(findExecutable('redis-server', undefined)).toBeNull();
  });

  it('says which Redis binaries are missing, null when both are there', () => {
    tool('redis-server');
    expect(redisMissing(dir)).toMatch(/^redis-cli not found on PATH/);
    expect(redisMissing(other)).toMatch(/^redis-server and redis-cli not found on PATH/);
    tool('redis-cli');
    expect(redisMissing(dir)).toBeNull();
  });
});
