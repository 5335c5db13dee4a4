/**
 * The Bedrock Runtime Converse API's wire shapes (Converse and ConverseStream), as far as the
 * translators use them. Field names are Bedrock's (camelCase).
 */

export type BedrockImageFormat = 'png' | 'jpeg' | 'gif' | 'webp';

export interface BedrockToolUse {
  toolUseId: string;
  name: string;
  input: unknown;
}

export interface BedrockToolResult {
  toolUseId: string;
  content: Array<{ text: string }>;
}

export type BedrockContentBlock =
  | { text: string }
  | { image: { format: BedrockImageFormat; source: { bytes: string } } }
  | { toolUse: BedrockToolUse }
  | { toolResult: BedrockToolResult };

export interface BedrockMessage {
  role: 'user' | 'assistant';
  content: BedrockContentBlock[];
}

export type BedrockToolChoice = { auto: Record<string, never> } | { any: Record<string, never> } | { tool: { name: string } };

export interface BedrockTool {
  toolSpec: { name: string; description?: string; inputSchema: { json: unknown } };
}

export interface BedrockConverseRequest {
  messages: BedrockMessage[];
  system?: Array<{ text: string }>;
  inferenceConfig?: { maxTokens?: number; temperature?: number; topP?: number; stopSequences?: string[] };
  toolConfig?: { tools: BedrockTool[]; toolChoice?: BedrockToolChoice };
}

export interface BedrockUsage {
  inputTokens?: number;
  outputTokens?: number;
  totalTokens?: number;
  cacheReadInputTokens?: number;
  cacheWriteInputTokens?: number;
}

/** end_turn, tool_use, max_tokens, stop_sequence, guardrail_intervened, content_filtered, model_context_window_exceeded. */
export type BedrockStopReason = string;

export interface BedrockConverseResponse {
  output?: { message?: { role: 'assistant'; content: Array<Partial<{ text: string; toolUse: BedrockToolUse }> & Record<string, unknown>> } };
  stopReason?: BedrockStopReason;
  usage?: BedrockUsage;
}

/**
 * One message of a ConverseStream answer (`application/vnd.amazon.eventstream`), decoded: its
 * `:message-type` (event, exception or error), the event or exception type, and its JSON payload.
 */
export interface BedrockStreamEvent {
  messageType: string;
  /** `:event-type` of an event (messageStart, contentBlockDelta ...), `:exception-type` of an exception, `:error-code` of an error. */
  type: string;
  /** The payload parsed as JSON; undefined when it is not JSON. */
  body: unknown;
  /** `:error-message` of an error message. */
  errorMessage?: string;
}

export interface BedrockContentBlockStartEvent {
  contentBlockIndex: number;
  start?: { toolUse?: { toolUseId: string; name: string } };
}

export interface BedrockContentBlockDeltaEvent {
  contentBlockIndex: number;
  delta?: { text?: string; toolUse?: { input?: string } } & Record<string, unknown>;
}
