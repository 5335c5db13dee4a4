import type { HubError } from '@llm-connector-hub/core';
import { completionToResponse, ResponsesStreamTranslator, sseEvent, type ResponseHead, type ResponseObject, type ResponseStreamEvent } from '@llm-connector-hub/dialects';
import type { StreamEncoding } from '../../chat/sse-writer';
import type { ResponseShape } from '../response-shapes';

/** Called with each finished response before the client sees it (to store it); returns it as it is to be sent. */
export type KeepResponse = (response: ResponseObject) => Promise<ResponseObject>;

/** The Responses API's shape for one request: the Response object as JSON, or its typed events. */
export function responsesShape(head: ResponseHead, keep: KeepResponse): ResponseShape {
  return {
    json: (completion) => keep(completionToResponse(head, completion)),
    stream: () => responsesEncoder(head, keep),
  };
}

/** Named events (`event: <type>`), as OpenAI sends them; the stream simply ends after the terminal event (no `[DONE]`). */
function frames(events: ResponseStreamEvent[]): string {
  let text = '';
  for (const event of events) text += sseEvent(event);
  return text;
}

function responsesEncoder(head: ResponseHead, keep: KeepResponse): StreamEncoding {
  const translator = new ResponsesStreamTranslator(head);
  return {
    chunk: (chunk) => frames(translator.chunk(chunk)),
    async end() {
      const { events, response } = translator.end();
      await keep(response);
      return frames(events);
    },
    error: (error: HubError) => frames(translator.fail({ code: error.code, message: error.message })),
  };
}
