import type { ChatRequest, ToolCall, ToolDefinition } from '@llm-connector-hub/core';
import { contentText, maxOutputTokens } from '@llm-connector-hub/core';

export interface MockReply {
  content: string | null;
  toolCalls: ToolCall[];
  finishReason: 'stop' | 'length' | 'tool_calls';
  promptTokens: number;
  completionTokens: number;
}

const WORD = /\S+/g;

export function countWords(text: string): number {
  return text.match(WORD)?.length ?? 0;
}

/**
 * The mock's deterministic answer: the same request always gets the same reply, so tests and
 * demos can assert on it. Tokens are counted as whitespace-separated words.
 */
export function mockReply(request: ChatRequest): MockReply {
  let promptTokens = 0;
  let lastUser = '';
  for (const message of request.messages) {
    const text = contentText(message.content);
    promptTokens += countWords(text);
    if (message.role === 'user') lastUser = text;
  }
  const last = request.messages[request.messages.length - 1];
  const tool = pickTool(request);
  if (tool && last?.role === 'user') {
    const args = JSON.stringify(valueOfSchema(tool.function.parameters));
    const call: ToolCall = { id: `call_mock_${tool.function.name}`, type: 'function', function: { name: tool.function.name, arguments: args } };
    return { content: null, toolCalls: [call], finishReason: 'tool_calls', promptTokens, completionTokens: countWords(args) };
  }
  let content: string;
  if (last?.role === 'tool') {
    content = `Mock reply using tool result: ${contentText(last.content)}`;
  } else if (request.response_format?.type === 'json_schema' && request.response_format.json_schema.schema?.properties) {
    // A value of the asked schema's shape, so a client's parse() (zod, pydantic) accepts it.
    content = JSON.stringify(valueOfSchema(request.response_format.json_schema.schema));
  } else if (request.response_format && request.response_format.type !== 'text') {
    content = JSON.stringify({ reply: `Mock reply to: ${lastUser}` });
  } else {
    content = `Mock reply to: ${lastUser}`;
  }
  let finishReason: MockReply['finishReason'] = 'stop';
  const limit = maxOutputTokens(request);
  const words = content.split(' ');
  if (limit !== undefined && words.length > limit) {
    content = words.slice(0, limit).join(' ');
    finishReason = 'length';
  }
  return { content, toolCalls: [], finishReason, promptTokens, completionTokens: countWords(content) };
}

function pickTool(request: ChatRequest): ToolDefinition | undefined {
  const tools = request.tools;
  if (!tools || tools.length === 0 || request.tool_choice === 'none') return undefined;
  const choice = request.tool_choice;
  if (choice && typeof choice === 'object') return tools.find((t) => t.function.name === choice.function.name);
  return tools[0];
}

/** A value that satisfies an object schema (tool arguments, a JSON answer): strings, numbers, booleans and enums filled in. */
function valueOfSchema(schema: Record<string, unknown> | undefined): Record<string, unknown> {
  const properties = (schema?.properties ?? {}) as Record<string, { type?: string; enum?: unknown[] }>;
  const args: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(properties)) {
    if (Array.isArray(schema.enum) && schema.enum.length > 0) args[name] = schema.enum[0];
    else if (schema.type === 'number' || schema.type === 'integer') args[name] = 1;
    else if (schema.type === 'boolean') args[name] = true;
    else if (schema.type === 'array') args[name] = [];
    else if (schema.type === 'object') args[name] = {};
    else args[name] = `mock-${name}`;
  }
  return args;
}

/** Splits text into `count` pieces of nearly equal length (at least one piece). */
export function splitInto(text: string, count: number): string[] {
  const n = Math.max(1, Math.min(count, text.length || 1));
  const size = Math.ceil(text.length / n);
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces.length > 0 ? pieces : [''];
}
