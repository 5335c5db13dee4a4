import { randomBytes } from 'node:crypto';

// Ids come from a per-process random prefix plus a counter: unique enough for a fake
// (two fake processes never collide, one process never repeats) and far cheaper than
// fresh randomness on every request and every tool call.
const PREFIX = randomBytes(4).toString('hex');
let counter = 0;

function next(): string {
  counter = (counter + 1) % Number.MAX_SAFE_INTEGER;
  return `fake${PREFIX}${counter.toString(36).padStart(6, '0')}`;
}

export const openaiCompletionId = (): string => `chatcmpl-${next()}`;
export const openaiToolCallId = (): string => `call_${next()}`;
export const anthropicMessageId = (): string => `msg_${next()}`;
export const anthropicToolUseId = (): string => `toolu_${next()}`;
export const requestId = (): string => `req_${next()}`;
/** Mistral's tool call ids are 9 letters or digits. */
export const mistralToolCallId = (): string => next().slice(-9);
export const geminiResponseId = (): string => next();

export function unixSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
