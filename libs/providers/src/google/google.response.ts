import type { ChatChoice, ChatCompletion, ChatRequest, FinishReason, ToolCall, Usage } from '@llm-connector-hub/core';
import { HubErrors, completionId, toolCallId, unixSeconds } from '@llm-connector-hub/core';
import type { GoogleCandidate, GoogleGenerateContentResponse, GooglePart, GoogleUsageMetadata } from './google.wire';

/** generateContent answer -> canonical completion, one choice per candidate. */
export function fromGoogleResponse(provider: string, body: unknown, request: ChatRequest): ChatCompletion {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw HubErrors.upstreamBadResponse(provider, 'the answer is not a JSON object');
  }
  const response = body as GoogleGenerateContentResponse;
  const candidates = Array.isArray(response.candidates) ? response.candidates : [];
  let choices: ChatChoice[];
  if (candidates.length > 0) {
    choices = candidates.map((candidate, position) => toChoice(candidate, position));
  } else if (response.promptFeedback?.blockReason) {
    // The prompt itself was blocked: Gemini returns no candidates at all. A content_filter choice
    // tells an OpenAI client what happened; an error would hide it behind a generic failure.
    choices = [{ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter' }];
  } else {
    throw HubErrors.upstreamBadResponse(provider, 'the answer has no candidates');
  }
  const completion: ChatCompletion = {
    id: response.responseId || completionId(),
    object: 'chat.completion',
    created: unixSeconds(),
    model: response.modelVersion || request.model,
    choices,
  };
  if (response.usageMetadata) completion.usage = googleUsage(response.usageMetadata);
  return completion;
}

function toChoice(candidate: GoogleCandidate, position: number): ChatChoice {
  const parts = candidate.content?.parts ?? [];
  const text = googleAnswerText(parts);
  const toolCalls = parts.filter((part) => part.functionCall).map((part) => toToolCall(part));
  const choice: ChatChoice = {
    index: candidate.index ?? position,
    message: { role: 'assistant', content: text },
    finish_reason: googleFinishReason(candidate.finishReason, toolCalls.length > 0),
  };
  if (toolCalls.length > 0) choice.message.tool_calls = toolCalls;
  return choice;
}

/** Answer text of a candidate's parts, or null when it has none (only calls, or blocked). */
export function googleAnswerText(parts: readonly GooglePart[]): string | null {
  let text: string | null = null;
  for (const part of parts) {
    // Thought summaries are the model's reasoning, not its answer.
    if (typeof part.text === 'string' && part.thought !== true) text = (text ?? '') + part.text;
  }
  return text;
}

function toToolCall(part: GooglePart): ToolCall {
  const call = part.functionCall!;
  return {
    // Gemini leaves `id` out on most models; OpenAI clients need one to pair the tool result.
    id: call.id || toolCallId(),
    type: 'function',
    function: { name: call.name, arguments: JSON.stringify(call.args ?? {}) },
  };
}

const CONTENT_FILTER_REASONS = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

/**
 * Gemini says STOP after function calls too; OpenAI clients run their tool loop only on
 * 'tool_calls'. Values with no OpenAI counterpart (LANGUAGE, OTHER, MALFORMED_FUNCTION_CALL, new
 * ones) become 'stop'. Returns null while the candidate is unfinished (no finishReason yet).
 */
export function googleFinishReason(reason: string | undefined, hasToolCalls: boolean): FinishReason | null {
  if (!reason) return null;
  if (reason === 'MAX_TOKENS') return 'length';
  if (CONTENT_FILTER_REASONS.has(reason)) return 'content_filter';
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * Thinking tokens are billed as output, so they count as completion tokens (OpenAI counts its
 * reasoning tokens the same way) and are also reported as reasoning_tokens.
 */
export function googleUsage(metadata: GoogleUsageMetadata): Usage {
  const prompt = metadata.promptTokenCount ?? 0;
  const thoughts = metadata.thoughtsTokenCount ?? 0;
  const completion = (metadata.candidatesTokenCount ?? 0) + thoughts;
  const usage: Usage = {
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: metadata.totalTokenCount ?? prompt + completion,
  };
  if (metadata.cachedContentTokenCount !== undefined) {
    usage.prompt_tokens_details = { cached_tokens: metadata.cachedContentTokenCount };
  }
  if (metadata.thoughtsTokenCount !== undefined) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}
