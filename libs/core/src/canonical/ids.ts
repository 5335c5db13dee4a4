import { randomBytes } from 'node:crypto';

// A pool of random bytes refilled in bulk: ids are made on every request and every
// stream, and one randomBytes() call per id would be a syscall each time.
const POOL_SIZE = 4096;
let pool = randomBytes(POOL_SIZE);
let offset = 0;

function randomHex(bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE);
    offset = 0;
  }
  const hex = pool.toString('hex', offset, offset + bytes);
  offset += bytes;
  return hex;
}

export function completionId(): string {
  return `chatcmpl-${randomHex(12)}`;
}

export function toolCallId(): string {
  return `call_${randomHex(12)}`;
}

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
