import type { ConversationItem } from './to-chat';
import type { OutputItem, ResponseObject } from './response';

/**
 * What the gateway keeps of a response so that a later request can continue from it
 * (`previous_response_id`) or name its items (`item_reference`): the whole conversation that led
 * to it, references already expanded, and the response itself. Keeping the whole conversation
 * costs one read per continued request, whatever its length.
 */
export interface StoredResponse {
  input: ConversationItem[];
  response: ResponseObject;
}

/** The conversation a request continuing from this response starts with: its input, then its output. */
export function conversationOf(stored: StoredResponse): ConversationItem[] {
  return [...stored.input, ...stored.response.output];
}

export function outputItemOf(stored: StoredResponse, itemId: string): OutputItem | undefined {
  return stored.response.output.find((item) => item.id === itemId);
}
