import type { AssistantMessage, ChatRequest, ContentPart, TextContentPart, ToolChoice } from '@llm-connector-hub/core';
import { HubErrors, maxOutputTokens } from '@llm-connector-hub/core';
import { toolArgumentsObject } from '../shared';
import type { BedrockContentBlock, BedrockConverseRequest, BedrockImageFormat, BedrockMessage, BedrockToolChoice } from './bedrock.wire';

/**
 * The Converse path of a model. The model id goes in the path, encoded: Bedrock's ids and ARNs
 * hold `:` and `/` (anthropic.claude-3-5-haiku-20241022-v1:0, inference profile ARNs).
 */
export function bedrockChatPath(model: string, stream: boolean): string {
  return `/model/${encodeURIComponent(model)}/${stream ? 'converse-stream' : 'converse'}`;
}

/**
 * Canonical request -> Converse body (the same for ConverseStream). Parameters Converse has no
 * field for (seed, penalties, logit_bias, logprobs, user, metadata, reasoning_effort) are dropped,
 * as for Anthropic; `n > 1` and a JSON `response_format` are refused: Converse returns one choice
 * and has no JSON mode common to its models.
 */
export function toBedrockRequest(request: ChatRequest): BedrockConverseRequest {
  if (request.n != null && request.n > 1) {
    throw HubErrors.invalidRequest('Bedrock models return one choice per request; set n to 1 or leave it out.', 'n');
  }
  if (request.response_format && request.response_format.type !== 'text') {
    throw HubErrors.invalidRequest('response_format is not supported by Bedrock Converse; describe the JSON you want in the prompt.', 'response_format');
  }
  const system: Array<{ text: string }> = [];
  const messages: BedrockMessage[] = [];
  request.messages.forEach((message, i) => {
    const param = `messages[${i}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...textBlocks(message.content));
        return;
      case 'user':
        addTurn(messages, 'user', userBlocks(message.content, `${param}.content`));
        return;
      case 'assistant':
        addTurn(messages, 'assistant', assistantBlocks(message, param));
        return;
      case 'tool': {
        const text = typeof message.content === 'string' ? message.content : message.content.map((part) => part.text).join('');
        addTurn(messages, 'user', [{ toolResult: { toolUseId: message.tool_call_id, content: [{ text }] } }]);
        return;
      }
      default:
        throw HubErrors.invalidRequest(`Unsupported message role '${(message as { role: string }).role}'.`, `${param}.role`);
    }
  });
  const body: BedrockConverseRequest = { messages };
  if (system.length > 0) body.system = system;
  const inference: NonNullable<BedrockConverseRequest['inferenceConfig']> = {};
  const maxTokens = maxOutputTokens(request);
  if (maxTokens != null) inference.maxTokens = maxTokens;
  if (request.temperature != null) inference.temperature = request.temperature;
  if (request.top_p != null) inference.topP = request.top_p;
  const stops = request.stop == null ? [] : typeof request.stop === 'string' ? [request.stop] : request.stop;
  if (stops.length > 0) inference.stopSequences = stops;
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  const toolConfig = toBedrockToolConfig(request, messages);
  if (toolConfig) body.toolConfig = toolConfig;
  return body;
}

/** Converse wants alternating turns; OpenAI allows repeated roles and one `tool` message per result. */
function addTurn(messages: BedrockMessage[], role: BedrockMessage['role'], content: BedrockContentBlock[]): void {
  if (content.length === 0) return;
  const last = messages[messages.length - 1];
  if (last && last.role === role) last.content.push(...content);
  else messages.push({ role, content });
}

/** Empty text is dropped: Converse refuses blank text blocks. */
function textBlocks(content: string | TextContentPart[] | null | undefined): Array<{ text: string }> {
  if (content == null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.filter((part) => part.type === 'text' && part.text !== '').map((part) => ({ text: part.text }));
}

function userBlocks(content: string | ContentPart[], param: string): BedrockContentBlock[] {
  if (typeof content === 'string') return textBlocks(content);
  return content.flatMap((part, j): BedrockContentBlock[] => {
    if (part.type === 'text') return textBlocks([part]);
    if (part.type === 'image_url') return [imageBlock(part.image_url.url, `${param}[${j}].image_url.url`)];
    throw HubErrors.invalidRequest(`Unsupported content part type '${(part as { type: string }).type}'.`, `${param}[${j}].type`);
  });
}

function assistantBlocks(message: AssistantMessage, param: string): BedrockContentBlock[] {
  const blocks: BedrockContentBlock[] = textBlocks(message.content);
  message.tool_calls?.forEach((call, j) => {
    const input = toolArgumentsObject(call.function.arguments, `${param}.tool_calls[${j}].function.arguments`);
    blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input } });
  });
  return blocks;
}

const IMAGE_FORMATS: Record<string, BedrockImageFormat> = { 'image/png': 'png', 'image/jpeg': 'jpeg', 'image/jpg': 'jpeg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** Only inline images: Converse takes image bytes (base64 in JSON) or S3 locations, not URLs. */
function imageBlock(url: string, param: string): BedrockContentBlock {
  const match = /^data:([^;,]+)((?:;[^;,]*)*),(.*)$/s.exec(url);
  if (!match || !match[2].split(';').some((m) => m.trim().toLowerCase() === 'base64')) {
    throw HubErrors.invalidRequest('Bedrock takes images inline only: use a base64 data: URL (data:image/png;base64,...).', param);
  }
  const format = IMAGE_FORMATS[match[1].trim().toLowerCase()];
  if (!format) throw HubErrors.invalidRequest(`Image type '${match[1]}' is not supported by Bedrock; use image/png, image/jpeg, image/gif or image/webp.`, param);
  return { image: { format, source: { bytes: match[3] } } };
}

/**
 * `toolConfig`. Converse has no "none": with tool_choice none the tools are left out, unless the
 * conversation already holds tool calls or results (Converse then requires the tools to be declared).
 */
function toBedrockToolConfig(request: ChatRequest, messages: BedrockMessage[]): BedrockConverseRequest['toolConfig'] {
  const tools = (request.tools ?? []).map((tool) => ({
    toolSpec: {
      name: tool.function.name,
      ...(tool.function.description !== undefined && { description: tool.function.description }),
      inputSchema: { json: tool.function.parameters ?? { type: 'object', properties: {} } },
    },
  }));
  if (tools.length === 0) return undefined;
  const choice = request.tool_choice;
  if (choice === 'none') {
    const usesTools = messages.some((m) => m.content.some((block) => 'toolUse' in block || 'toolResult' in block));
    return usesTools ? { tools } : undefined;
  }
  const toolChoice = toBedrockToolChoice(choice);
  return toolChoice ? { tools, toolChoice } : { tools };
}

function toBedrockToolChoice(choice: ToolChoice | undefined): BedrockToolChoice | undefined {
  if (choice === 'required') return { any: {} };
  if (choice === 'auto') return { auto: {} };
  if (choice && typeof choice === 'object') return { tool: { name: choice.function.name } };
  return undefined;
}
