import type { ChatChoice, ChatCompletion, ChatCompletionChunk, ChunkChoice, ChunkDelta } from '@llm-connector-hub/core';

export interface ReplayOptions {
  /** Split content and refusal text into pieces of at most this many UTF-16 units (default: one piece). */
  maxContentChunk?: number;
}

/**
 * Replays a cached completion as the stream OpenAI would have sent for it, so a stream caller
 * served from the cache sees the same shape as one served live. Per choice: a role chunk, the
 * content, the tool calls, the refusal, then an empty delta with the finish_reason; then, if the
 * completion has usage, the usage-only chunk (`choices: []`), which is how the SSE writer and
 * every provider adapter recognise it. Non-usage chunks carry no `usage` key at all, so nothing
 * downstream can mistake them for it.
 */
export function completionToChunks(completion: ChatCompletion, options: ReplayOptions = {}): ChatCompletionChunk[] {
  const { maxContentChunk } = options;
  if (maxContentChunk !== undefined && (!Number.isInteger(maxContentChunk) || maxContentChunk < 1)) {
    throw new RangeError(`maxContentChunk must be a positive integer, got ${maxContentChunk}`);
  }
  const chunk = (choices: ChunkChoice[]): ChatCompletionChunk => {
    const built: ChatCompletionChunk = {
      id: completion.id,
      object: 'chat.completion.chunk',
      created: completion.created,
      model: completion.model,
      choices,
    };
    if (completion.system_fingerprint != null) built.system_fingerprint = completion.system_fingerprint;
    return built;
  };

  const chunks: ChatCompletionChunk[] = [];
  const choices = [...completion.choices].sort((a, b) => a.index - b.index);
  for (const choice of choices) {
    for (const piece of choiceChunks(choice, maxContentChunk)) chunks.push(chunk([piece]));
  }
  if (completion.usage != null) chunks.push({ ...chunk([]), usage: completion.usage });
  return chunks;
}

function choiceChunks(choice: ChatChoice, maxPiece: number | undefined): ChunkChoice[] {
  const { index, message } = choice;
  const pieces: ChunkChoice[] = [];
  const push = (delta: ChunkDelta): ChunkChoice => {
    const piece: ChunkChoice = { index, delta, finish_reason: null };
    pieces.push(piece);
    return piece;
  };

  // OpenAI opens with `content: ''` for a text answer and `content: null` when the model only
  // calls tools or refuses; the assembler relies on that to restore `content: null`.
  push({ role: 'assistant', content: message.content === null ? null : '' });
  let firstText: ChunkChoice | undefined;
  for (const text of split(message.content ?? '', maxPiece)) {
    const piece = push({ content: text });
    firstText ??= piece;
  }
  message.tool_calls?.forEach((call, callIndex) => {
    push({
      tool_calls: [{ index: callIndex, id: call.id, type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }],
    });
  });
  for (const text of split(message.refusal ?? '', maxPiece)) push({ refusal: text });
  const finish = push({});
  finish.finish_reason = choice.finish_reason;
  // Per-token logprobs cannot be re-cut to match the pieces; one chunk carries them all, and the
  // assembler concatenates lists, so the round trip keeps them.
  if (choice.logprobs != null) (firstText ?? finish).logprobs = choice.logprobs;
  return pieces;
}

/** Pieces of at most `max` UTF-16 units, never cutting a surrogate pair (an emoji stays whole). */
function split(text: string, max: number | undefined): string[] {
  if (text === '') return [];
  if (max === undefined || text.length <= max) return [text];
  const pieces: string[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + max, text.length);
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end = end - 1 > start ? end - 1 : end + 1;
    pieces.push(text.slice(start, end));
    start = end;
  }
  return pieces;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
