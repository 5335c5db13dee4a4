/** Mistral's chat completions API (https://docs.mistral.ai/api/), as far as the translators use it. */

export interface MistralToolCall {
  id: string;
  type?: 'function';
  function: { name: string; arguments: string | Record<string, unknown> };
  /** Present on stream deltas. */
  index?: number;
}

/** A text chunk, or a thinking chunk of the reasoning models (read past). */
export type MistralContentChunk = { type: 'text'; text: string } | { type: 'image_url'; image_url: string | { url: string; detail?: string } } | { type: string; [key: string]: unknown };

export type MistralMessage =
  | { role: 'system'; content: string }
  | { role: 'user'; content: string | MistralContentChunk[] }
  | { role: 'assistant'; content: string; tool_calls?: MistralToolCall[] }
  | { role: 'tool'; tool_call_id: string; content: string };

export interface MistralChatRequest {
  model: string;
  messages: MistralMessage[];
  temperature?: number;
  top_p?: number;
  max_tokens?: number;
  stop?: string | string[];
  random_seed?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  n?: number;
  tools?: unknown[];
  tool_choice?: 'auto' | 'none' | 'any' | 'required' | { type: 'function'; function: { name: string } };
  parallel_tool_calls?: boolean;
  response_format?: unknown;
  stream?: boolean;
}

/** stop, length, model_length (the context is full), error, tool_calls. */
export type MistralFinishReason = string;

export interface MistralUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
}

export interface MistralChoice {
  index: number;
  message?: { role: 'assistant'; content: string | MistralContentChunk[] | null; tool_calls?: MistralToolCall[] | null };
  delta?: { role?: string | null; content?: string | MistralContentChunk[] | null; tool_calls?: MistralToolCall[] | null };
  finish_reason: MistralFinishReason | null;
}

export interface MistralChatResponse {
  id: string;
  object?: string;
  model: string;
  created?: number;
  choices: MistralChoice[];
  usage?: MistralUsage;
}
