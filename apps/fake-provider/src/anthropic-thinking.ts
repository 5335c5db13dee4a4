/**
 * Extended thinking, as the Anthropic dialect answers it when the request enables it: a
 * `thinking` block with a signature before the answer. The signature is a digest of the thinking
 * text, so the fake can do what the real API does with a replayed block (tool loops send it back
 * unchanged): refuse it when its text or signature changed in any byte, or lost its signature.
 * A gateway that round-trips Anthropic requests through another format fails here as it would
 * against Anthropic.
 */
import { createHash } from 'node:crypto';

type Json = Record<string, unknown>;

export interface ThinkingBlock {
  type: 'thinking';
  thinking: string;
  signature: string;
}

/** Whether the request asks for thinking (`thinking: {type: "enabled" | "adaptive"}`). */
export function thinkingRequested(body: Json): boolean {
  const thinking = body.thinking as Json | undefined;
  return thinking?.type === 'enabled' || thinking?.type === 'adaptive';
}

export function fakeThinkingSignature(thinking: string): string {
  return createHash('sha256').update(`fake-thinking:${thinking}`).digest('base64');
}

export function thinkingBlock(userText: string): ThinkingBlock {
  const thinking = `The user wrote "${userText}". A short, friendly answer will do.`;
  return { type: 'thinking', thinking, signature: fakeThinkingSignature(thinking) };
}

/** The 400 message for a replayed thinking block that is not exactly as it was answered, if any. */
export function invalidThinkingBlock(block: Json, at: string): string | undefined {
  if (block.type !== 'thinking') return undefined;
  const { thinking, signature } = block;
  if (typeof thinking !== 'string' || typeof signature !== 'string' || signature !== fakeThinkingSignature(thinking)) {
    return `${at}: Invalid \`signature\` in \`thinking\` block`;
  }
  return undefined;
}

/** The stream events of a thinking block at `index`: its start, the text in two deltas, the signature, its stop. */
export function thinkingEvents(block: ThinkingBlock, index: number): Array<[event: string, payload: Json]> {
  const half = Math.ceil(block.thinking.length / 2);
  return [
    ['content_block_start', { type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } }],
    ['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking.slice(0, half) } }],
    ['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: block.thinking.slice(half) } }],
    ['content_block_delta', { type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } }],
    ['content_block_stop', { type: 'content_block_stop', index }],
  ];
}
