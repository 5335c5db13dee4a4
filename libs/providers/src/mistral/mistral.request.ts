import { createHash } from 'node:crypto';
import type { ChatMessage, ChatRequest, ContentPart, TextContentPart } from '@llm-connector-hub/core';
import { HubErrors, maxOutputTokens } from '@llm-connector-hub/core';
import type { MistralChatRequest, MistralContentChunk, MistralMessage } from './mistral.wire';

/**
 * Canonical request -> Mistral body. Mistral's API is close to OpenAI's; the differences: `seed`
 * is `random_seed`, tool_choice `required` is `any`, tool call ids must be 9 letters or digits,
 * and it has no logit_bias, logprobs, user, metadata or reasoning_effort (dropped, as other
 * providers' translators drop what they have no field for). Streams report usage on their last
 * chunk unasked, so there is no stream_options.
 */
export function toMistralRequest(request: ChatRequest, stream: boolean): MistralChatRequest {
  const body: MistralChatRequest = { model: request.model, messages: request.messages.map((message, i) => toMistralMessage(message, `messages[${i}]`)) };
  const maxTokens = maxOutputTokens(request);
  if (maxTokens != null) body.max_tokens = maxTokens;
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.stop != null) body.stop = request.stop;
  if (request.seed != null) body.random_seed = request.seed;
  if (request.presence_penalty != null) body.presence_penalty = request.presence_penalty;
  if (request.frequency_penalty != null) body.frequency_penalty = request.frequency_penalty;
  if (request.n != null) body.n = request.n;
  if (request.tools && request.tools.length > 0) body.tools = request.tools;
  const choice = request.tool_choice;
  if (choice !== undefined) body.tool_choice = choice === 'required' ? 'any' : choice;
  if (request.parallel_tool_calls != null) body.parallel_tool_calls = request.parallel_tool_calls;
  if (request.response_format) body.response_format = request.response_format;
  if (stream) body.stream = true;
  return body;
}

function toMistralMessage(message: ChatMessage, param: string): MistralMessage {
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: text(message.content) };
    case 'user':
      return { role: 'user', content: typeof message.content === 'string' ? message.content : message.content.map((part, j) => userChunk(part, `${param}.content[${j}]`)) };
    case 'assistant': {
      const out: MistralMessage = { role: 'assistant', content: text(message.content) };
      if (message.tool_calls && message.tool_calls.length > 0) {
        out.tool_calls = message.tool_calls.map((call) => ({ id: mistralToolCallId(call.id), type: 'function', function: { name: call.function.name, arguments: call.function.arguments } }));
      }
      return out;
    }
    case 'tool':
      return { role: 'tool', tool_call_id: mistralToolCallId(message.tool_call_id), content: text(message.content) };
    default:
      throw HubErrors.invalidRequest(`Unsupported message role '${(message as { role: string }).role}'.`, `${param}.role`);
  }
}

function text(content: string | TextContentPart[] | null | undefined): string {
  if (content == null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

function userChunk(part: ContentPart, param: string): MistralContentChunk {
  if (part.type === 'text') return { type: 'text', text: part.text };
  if (part.type === 'image_url') return { type: 'image_url', image_url: part.image_url.url };
  throw HubErrors.invalidRequest(`Unsupported content part type '${(part as { type: string }).type}'.`, `${param}.type`);
}

const MISTRAL_ID = /^[A-Za-z0-9]{9}$/;
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * Mistral refuses tool call ids that are not 9 letters or digits, and OpenAI's (`call_...`) or
 * another provider's (after a fallback) are not. The same id always maps to the same 9 characters,
 * so a call and its result still match; Mistral's own ids pass unchanged.
 */
export function mistralToolCallId(id: string): string {
  if (MISTRAL_ID.test(id)) return id;
  const digest = createHash('sha256').update(id).digest();
  let out = '';
  for (let i = 0; i < 9; i++) out += ALPHABET[digest[i] % ALPHABET.length];
  return out;
}
