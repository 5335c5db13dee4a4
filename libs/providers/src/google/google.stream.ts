import type { ChatCompletionChunk, ChatRequest, ChunkChoice, SseEvent, Usage } from '@llm-connector-hub/core';
import { HubErrors, completionId, toolCallId, unixSeconds, upstreamHttpError } from '@llm-connector-hub/core';
import { googleErrorMessage, googleErrorStatus } from './google.errors';
import { googleAnswerText, googleFinishReason, googleUsage } from './google.response';
import type { GoogleCandidate, GoogleGenerateContentResponse } from './google.wire';

/** Per-candidate progress: OpenAI indexes tool calls per choice, and finish_reason depends on them. */
interface CandidateState {
  nextToolCallIndex: number;
  finished: boolean;
}

export interface GoogleStreamState {
  provider: string;
  requestModel: string;
  /** Fixed by the first event (its responseId / modelVersion) so every chunk carries the same values. */
  id?: string;
  model?: string;
  created: number;
  candidates: Map<number, CandidateState>;
  sawFinish: boolean;
  /** Each event repeats the running totals: the last one wins. */
  usage?: Usage;
}

export function createGoogleStreamState(provider: string, request: ChatRequest): GoogleStreamState {
  return { provider, requestModel: request.model, created: unixSeconds(), candidates: new Map(), sawFinish: false };
}

/**
 * One `streamGenerateContent?alt=sse` event -> canonical chunks. Each `data:` is a partial
 * GenerateContentResponse: text arrives in pieces, but a functionCall part always arrives whole,
 * so each one becomes a single complete tool_calls delta.
 */
export function googleStreamEvent(event: SseEvent, state: GoogleStreamState): ChatCompletionChunk[] {
  let body: unknown;
  try {
    body = JSON.parse(event.data);
  } catch {
    throw HubErrors.upstreamBadResponse(state.provider, 'a stream event is not valid JSON');
  }
  if (body === null || typeof body !== 'object') {
    throw HubErrors.upstreamBadResponse(state.provider, 'a stream event is not a JSON object');
  }
  const record = (Array.isArray(body) ? body[0] : body) as { error?: unknown } | null | undefined;
  if (record?.error !== undefined) {
    // A failure after the 200 (overload, internal error) arrives as an event, not an HTTP status.
    throw upstreamHttpError(state.provider, googleErrorStatus(body) ?? 500, googleErrorMessage(body) ?? 'stream error');
  }
  const response = body as GoogleGenerateContentResponse;
  state.id ??= response.responseId || completionId();
  state.model ??= response.modelVersion || state.requestModel;
  if (response.usageMetadata) state.usage = googleUsage(response.usageMetadata);

  const chunks: ChatCompletionChunk[] = [];
  const candidates = Array.isArray(response.candidates) ? response.candidates : [];
  candidates.forEach((candidate, position) => candidateChunks(candidate, candidate.index ?? position, state, chunks));
  if (candidates.length === 0 && response.promptFeedback?.blockReason) {
    // Prompt blocked: no candidate will ever come, so the (single) choice ends here.
    const candidate = candidateState(0, state, chunks);
    if (!candidate.finished) finish(0, candidate, 'content_filter', state, chunks);
  }
  return chunks;
}

function candidateChunks(candidate: GoogleCandidate, index: number, state: GoogleStreamState, out: ChatCompletionChunk[]): void {
  const current = candidateState(index, state, out);
  const parts = candidate.content?.parts ?? [];
  const text = googleAnswerText(parts);
  // Gemini pads streams with empty text parts; an empty delta is noise for the client.
  if (text) out.push(chunk(state, { index, delta: { content: text }, finish_reason: null }));
  for (const part of parts) {
    if (!part.functionCall) continue;
    const { id, name, args } = part.functionCall;
    out.push(
      chunk(state, {
        index,
        delta: {
          tool_calls: [
            {
              index: current.nextToolCallIndex++,
              id: id || toolCallId(),
              type: 'function',
              function: { name, arguments: JSON.stringify(args ?? {}) },
            },
          ],
        },
        finish_reason: null,
      }),
    );
  }
  const reason = googleFinishReason(candidate.finishReason, current.nextToolCallIndex > 0);
  if (reason && !current.finished) finish(index, current, reason, state, out);
}

/** The state of a candidate; its first sight emits the role chunk OpenAI clients expect first. */
function candidateState(index: number, state: GoogleStreamState, out: ChatCompletionChunk[]): CandidateState {
  let current = state.candidates.get(index);
  if (!current) {
    current = { nextToolCallIndex: 0, finished: false };
    state.candidates.set(index, current);
    out.push(chunk(state, { index, delta: { role: 'assistant', content: '' }, finish_reason: null }));
  }
  return current;
}

function finish(
  index: number,
  current: CandidateState,
  reason: NonNullable<ChunkChoice['finish_reason']>,
  state: GoogleStreamState,
  out: ChatCompletionChunk[],
): void {
  current.finished = true;
  state.sawFinish = true;
  out.push(chunk(state, { index, delta: {}, finish_reason: reason }));
}

/**
 * Gemini has no end-of-stream marker: the body just ends. A finishReason means the answer was
 * complete; without one the connection was cut (or the server gave up) mid-answer.
 */
export function finishGoogleStream(state: GoogleStreamState): ChatCompletionChunk[] {
  if (!state.sawFinish) {
    throw HubErrors.streamInterrupted(state.provider, 'the upstream closed the stream before a finishReason');
  }
  if (!state.usage) return [];
  return [{ ...chunk(state), choices: [], usage: state.usage }];
}

function chunk(state: GoogleStreamState, choice?: ChunkChoice): ChatCompletionChunk {
  return {
    id: state.id ?? (state.id = completionId()),
    object: 'chat.completion.chunk',
    created: state.created,
    model: state.model ?? state.requestModel,
    choices: choice ? [choice] : [],
  };
}
