import { HubErrors, type ChatCompletion, type ChatCompletionChunk } from '@llm-connector-hub/core';
import type { HubCompletion } from '@llm-connector-hub/hub';
import { passingNative } from './native-shape';
import type { ResponseShape } from './response-shapes';

/** A dialect's translated shape that names what it was given, so a spec sees which path ran. */
const translated: ResponseShape = {
  json: (completion) => ({ translated: completion.id }),
  stream: () => ({
    chunk: (chunk) => `translated ${chunk.choices[0]?.delta.content ?? '-'}\n`,
    end: () => 'translated end\n',
    error: (error) => `translated error ${error.code}\n`,
  }),
};
const shape = passingNative('anthropic-messages', translated);

function chunk(content: string | undefined, native?: ChatCompletionChunk['native']): ChatCompletionChunk {
  const choices = content === undefined ? [] : [{ index: 0, delta: { content }, finish_reason: null }];
  return { id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices, native };
}

const completion = (native?: ChatCompletion['native']) =>
  ({ id: 'chatcmpl-1', object: 'chat.completion', created: 1, model: 'm', choices: [], native }) as unknown as HubCompletion;

describe('passingNative', () => {
  it("answers the upstream's own body when the provider served the native request, the translation otherwise", () => {
    const upstream = { id: 'msg_1', type: 'message', content: [{ type: 'thinking', thinking: 't', signature: 's' }] };
    expect(shape.json(completion({ dialect: 'anthropic-messages', body: upstream }), {})).toBe(upstream);
    expect(shape.json(completion(), {})).toEqual({ translated: 'chatcmpl-1' });
    expect(shape.json(completion({ dialect: 'openai-responses', body: upstream }), {})).toEqual({ translated: 'chatcmpl-1' });
  });

  it('writes each upstream event of a native stream verbatim, and nothing of the canonical chunks beside them', async () => {
    const encoding = shape.stream!({});
    const written = [
      chunk('', { event: 'message_start', data: '{"type":"message_start"}' }),
      chunk(undefined, { event: 'ping', data: '{"type": "ping"}' }),
      chunk('Hi', { event: 'content_block_delta', data: '{"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}' }),
      chunk(undefined, { event: 'content_block_delta', data: '{"type":"content_block_delta","delta":{"type":"signature_delta","signature":"EqQB"}}' }),
      chunk('', { event: 'message_stop', data: '{"type":"message_stop"}' }),
      // The usage-only chunk made from message_stop: its event has passed already.
      chunk(undefined),
    ]
      .map((c) => encoding.chunk(c))
      .join('');
    expect(written + (await encoding.end())).toBe(
      'event: message_start\ndata: {"type":"message_start"}\n\n' +
        'event: ping\ndata: {"type": "ping"}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}}\n\n' +
        'event: content_block_delta\ndata: {"type":"content_block_delta","delta":{"type":"signature_delta","signature":"EqQB"}}\n\n' +
        'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    );
  });

  it("translates a stream a provider served from the canonical request (a fallback), and reports errors in the dialect's shape", async () => {
    const encoding = shape.stream!({});
    expect([chunk(''), chunk('Hi')].map((c) => encoding.chunk(c)).join('') + (await encoding.end())).toBe('translated \ntranslated Hi\ntranslated end\n');
    expect(encoding.error(HubErrors.invalidRequest('bad'))).toBe('translated error invalid_request\n');
  });
});
