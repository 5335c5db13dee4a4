import type { ContentBlock, CountTokensParams } from './request.schema';

/**
 * An estimate of a request's input tokens, for backends without a count endpoint. Claude's
 * tokenizer is not public, and a BPE tokenizer of another model family would be a large
 * dependency that still counts differently; clients use the number for a context meter and
 * compaction thresholds, where an estimate of the right size serves. docs/api.md gives the rule.
 */
const CHARS_PER_TOKEN = 4;
/** Role markers and separators around each message. */
const TOKENS_PER_MESSAGE = 4;
/** What Anthropic charges at most for one image (its vision docs); the size is not known without decoding it. */
const TOKENS_PER_IMAGE = 1_600;

export function estimateInputTokens(params: CountTokensParams): number {
  let chars = 0;
  let fixed = 0;
  const add = (blocks: string | ContentBlock[] | undefined): void => {
    if (blocks === undefined) return;
    if (typeof blocks === 'string') {
      chars += blocks.length;
      return;
    }
    for (const block of blocks) {
      const counted = countBlock(block);
      if (typeof counted === 'number') fixed += counted;
      else if (Array.isArray(counted)) add(counted);
      else chars += counted.text.length;
    }
  };
  add(params.system);
  for (const message of params.messages) {
    fixed += TOKENS_PER_MESSAGE;
    add(message.content);
  }
  for (const tool of params.tools ?? []) chars += JSON.stringify(tool).length;
  return fixed + Math.ceil(chars / CHARS_PER_TOKEN);
}

/** A block's text, its nested blocks, or a fixed token count (images, files). */
function countBlock(block: ContentBlock): { text: string } | ContentBlock[] | number {
  switch (block.type) {
    case 'text':
      return { text: String(block.text) };
    case 'thinking':
      return { text: String(block.thinking) };
    case 'tool_use':
      return { text: `${String(block.name)}${JSON.stringify(block.input)}` };
    case 'tool_result':
      return typeof block.content === 'string' ? { text: block.content } : ((block.content as ContentBlock[] | undefined) ?? []);
    case 'image':
      return TOKENS_PER_IMAGE;
    case 'document': {
      const source = block.source as { type?: string; data?: string };
      return source.type === 'text' && typeof source.data === 'string' ? { text: source.data } : TOKENS_PER_IMAGE;
    }
    default:
      return { text: JSON.stringify(block) };
  }
}
