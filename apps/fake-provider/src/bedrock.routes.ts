/** AWS Bedrock Runtime, the Converse API: `POST /model/{modelId}/converse` (JSON) and `/converse-stream` (AWS event stream), SigV4-signed. */
import { encodeBedrockEvent } from '@llm-connector-hub/providers';
import { sendAnswer } from './answer-writer';
import { verifySigV4, FAKE_AWS_CREDENTIALS } from './bedrock.signature';
import type { Dialect } from './dialect';
import { parsePrompt } from './directives';
import type { Exchange } from './exchange';
import { anthropicToolUseId } from './ids';
import { admit, applyDirectives, sendError, type ModelContext } from './model-request';
import { countWords, planReply, type Conversation, type DeclaredTool, type ReplyPlan } from './reply';
import { framesOf, writeStream, type StreamFrame } from './stream-writer';

type Json = Record<string, unknown>;

const EVENT_STREAM_HEADERS = { 'content-type': 'application/vnd.amazon.eventstream' };
const STREAM_ERROR_FRAME = encodeBedrockEvent('exception', 'throttlingException', { message: 'Too many requests, please wait before trying again.' });

export const bedrockDialect: Dialect = {
  name: 'bedrock',
  // The access key id of a request whose signature verifySignature has already checked.
  apiKey: () => FAKE_AWS_CREDENTIALS.accessKeyId,
  unauthorizedMessage: () => 'The security token included in the request is invalid.',
  errorBody: (_status, message) => ({ message }),
  verifySignature: verifySigV4,
};

/** `POST /model/{modelId}/converse` and `/converse-stream`. */
export async function converse(ex: Exchange, ctx: ModelContext, model: string, stream: boolean): Promise<void> {
  const body = (await admit(ex, bedrockDialect, ctx)) as Json | undefined;
  if (body === undefined) return;
  const invalid = validate(body);
  if (invalid !== undefined) return sendError(ex, bedrockDialect, 400, invalid);

  const conversation = conversationOf(body);
  const prompt = parsePrompt(conversation.userText);
  conversation.userText = prompt.text;
  if (!(await applyDirectives(ex, bedrockDialect, prompt.directives, ctx))) return;

  const plan = planReply(conversation, prompt.directives);
  const toolUseIds = plan.toolCalls.map(() => `tooluse_${anthropicToolUseId()}`);
  if (!stream) return sendAnswer(ex, answer(plan, toolUseIds, model), prompt.directives);
  await writeStream(ex, streamFrames(plan, toolUseIds), { headers: EVENT_STREAM_HEADERS, errorFrame: STREAM_ERROR_FRAME, directives: prompt.directives });
}

/** The checks Converse makes that a translation most often fails: alternating turns, blank text, tools declared and answered. */
export function validate(body: Json): string | undefined {
  const list = body.messages;
  if (!Array.isArray(list) || list.length === 0) return 'messages: must not be empty';
  const declared = Array.isArray((body.toolConfig as Json | undefined)?.tools);
  let previousRole: unknown;
  let previousToolUses = new Set<string>();
  for (let i = 0; i < list.length; i++) {
    const entry = list[i] as Json | null;
    const role = entry?.role;
    if (role !== 'user' && role !== 'assistant') return `messages.${i}.role: must be user or assistant`;
    if (i === 0 && role !== 'user') return 'A conversation must start with a user message. Try again with a conversation that starts with a user message.';
    if (role === previousRole) return 'A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.';
    const content = entry?.content;
    if (!Array.isArray(content) || content.length === 0) return `messages.${i}.content: must not be empty`;
    const toolUses = new Set<string>();
    for (const block of content as Json[]) {
      if (typeof block?.text === 'string' && block.text.trim() === '') return 'The text field in the ContentBlock object is blank. Add text to the text field, and try again.';
      const toolUse = block?.toolUse as Json | undefined;
      const toolResult = block?.toolResult as Json | undefined;
      if ((toolUse || toolResult) && !declared) return 'The toolConfig field must be defined when using toolUse and toolResult content blocks.';
      if (toolUse) toolUses.add(String(toolUse.toolUseId));
      if (toolResult && !previousToolUses.has(String(toolResult.toolUseId))) {
        return `The toolUseId ${String(toolResult.toolUseId)} in a toolResult block has no toolUse block in the previous turn.`;
      }
    }
    previousToolUses = role === 'assistant' ? toolUses : new Set();
    previousRole = role;
  }
  return undefined;
}

function textOf(blocks: unknown): string {
  if (!Array.isArray(blocks)) return '';
  return (blocks as Json[])
    .filter((block) => typeof block?.text === 'string')
    .map((block) => block.text as string)
    .join('\n');
}

function conversationOf(body: Json): Conversation {
  const list = body.messages as Json[];
  let promptWords = countWords(textOf(body.system));
  let last: Json | undefined;
  const toolResults: string[] = [];
  for (const entry of list) {
    if (entry.role === 'user') last = entry;
    promptWords += countWords(textOf(entry.content));
  }
  for (const block of (last?.content as Json[] | undefined) ?? []) {
    const result = block.toolResult as Json | undefined;
    if (result) {
      toolResults.push(textOf(result.content));
      promptWords += countWords(textOf(result.content));
    }
  }
  return { userText: textOf(last?.content), toolResults, promptWords, tools: declaredTools(body.toolConfig) };
}

function declaredTools(toolConfig: unknown): DeclaredTool[] {
  const tools = (toolConfig as Json | undefined)?.tools;
  if (!Array.isArray(tools)) return [];
  return (tools as Json[]).flatMap((tool) => {
    const spec = tool?.toolSpec as Json | undefined;
    return typeof spec?.name === 'string' ? [{ name: spec.name, schema: (spec.inputSchema as Json | undefined)?.json }] : [];
  });
}

function usage(plan: ReplyPlan) {
  return { inputTokens: plan.promptTokens, outputTokens: plan.completionTokens, totalTokens: plan.promptTokens + plan.completionTokens };
}

function stopReason(plan: ReplyPlan): string {
  return plan.toolCalls.length > 0 ? 'tool_use' : 'end_turn';
}

function answer(plan: ReplyPlan, toolUseIds: string[], model: string) {
  const content =
    plan.toolCalls.length > 0 ? plan.toolCalls.map((call, i) => ({ toolUse: { toolUseId: toolUseIds[i], name: call.name, input: call.args } })) : [{ text: plan.text }];
  return { output: { message: { role: 'assistant', content } }, stopReason: stopReason(plan), usage: usage(plan), metrics: { latencyMs: 1 }, model };
}

function streamFrames(plan: ReplyPlan, toolUseIds: string[]): StreamFrame[] {
  const frames: StreamFrame[] = [];
  const push = (type: string, payload: unknown, content = false): void => {
    frames.push({ data: encodeBedrockEvent('event', type, payload), content });
  };
  push('messageStart', { role: 'assistant' });
  if (plan.toolCalls.length === 0) {
    for (const frame of framesOf(plan.chunks, (text) => ({ data: encodeBedrockEvent('event', 'contentBlockDelta', { contentBlockIndex: 0, delta: { text } }), content: true }))) {
      frames.push(frame);
    }
    push('contentBlockStop', { contentBlockIndex: 0 });
  } else {
    plan.toolCalls.forEach((call, index) => {
      push('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: toolUseIds[index], name: call.name } } });
      for (const input of call.pieces) push('contentBlockDelta', { contentBlockIndex: index, delta: { toolUse: { input } } }, true);
      push('contentBlockStop', { contentBlockIndex: index });
    });
  }
  push('messageStop', { stopReason: stopReason(plan) });
  push('metadata', { usage: usage(plan), metrics: { latencyMs: 1 } });
  return frames;
}
