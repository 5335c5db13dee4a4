import type { ChatMessage, ChatRequest } from '@llm-connector-hub/core';
import { HubError } from '@llm-connector-hub/core';
import { GOOGLE_THOUGHT_SIGNATURE_SENTINEL, toGoogleRequest } from './google.request';

const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { location: { type: 'string' }, unit: { type: ['string', 'null'], enum: ['celsius', 'fahrenheit', null] } },
      required: ['location', 'unit'],
      additionalProperties: false,
    },
    strict: true,
  },
};

function request(messages: ChatMessage[], extra: Partial<ChatRequest> = {}): ChatRequest {
  return { model: 'gemini-2.5-flash', messages, ...extra };
}

function thrown(fn: () => unknown): HubError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(HubError);
    return error as HubError;
  }
  throw new Error('expected a HubError');
}

describe('toGoogleRequest: conversation', () => {
  it('hoists system and developer messages, wherever they are, into systemInstruction', () => {
    const body = toGoogleRequest(
      request([
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Hi' },
        { role: 'developer', content: [{ type: 'text', text: 'Answer in French.' }] },
        { role: 'assistant', content: 'Salut' },
      ]),
    );
    expect(body.systemInstruction).toEqual({ parts: [{ text: 'You are terse.' }, { text: 'Answer in French.' }] });
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'Hi' }] },
      { role: 'model', parts: [{ text: 'Salut' }] },
    ]);
  });

  it('sends no systemInstruction when there is no system message', () => {
    expect(toGoogleRequest(request([{ role: 'user', content: 'Hi' }])).systemInstruction).toBeUndefined();
  });

  it('merges consecutive same-role messages so turns alternate user/model', () => {
    const body = toGoogleRequest(
      request([
        { role: 'user', content: 'First.' },
        { role: 'user', content: [{ type: 'text', text: 'Second.' }] },
        { role: 'assistant', content: 'One.' },
        { role: 'assistant', content: [{ type: 'text', text: 'Two.' }] },
        { role: 'user', content: 'Third.' },
      ]),
    );
    expect(body.contents).toEqual([
      { role: 'user', parts: [{ text: 'First.' }, { text: 'Second.' }] },
      { role: 'model', parts: [{ text: 'One.' }, { text: 'Two.' }] },
      { role: 'user', parts: [{ text: 'Third.' }] },
    ]);
  });

  it('drops empty messages instead of sending parts Gemini rejects', () => {
    const body = toGoogleRequest(
      request([
        { role: 'user', content: 'Hi' },
        { role: 'assistant', content: null },
        { role: 'assistant', content: '' },
        { role: 'user', content: '' },
      ]),
    );
    expect(body.contents).toEqual([{ role: 'user', parts: [{ text: 'Hi' }] }]);
  });

  it('rejects a conversation with only system messages, naming messages', () => {
    const error = thrown(() => toGoogleRequest(request([{ role: 'system', content: 'Be nice.' }])));
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages');
  });
});

describe('toGoogleRequest: tool calls and results', () => {
  const conversation: ChatMessage[] = [
    { role: 'user', content: 'Weather in Paris and London?' },
    {
      role: 'assistant',
      content: 'Checking.',
      tool_calls: [
        { id: 'call_paris', type: 'function', function: { name: 'get_weather', arguments: '{"location":"Paris","unit":"celsius"}' } },
        { id: 'call_time', type: 'function', function: { name: 'get_time', arguments: '' } },
      ],
    },
    { role: 'tool', tool_call_id: 'call_paris', content: '{"temperature":18,"sky":"clear"}' },
    { role: 'tool', tool_call_id: 'call_time', content: [{ type: 'text', text: '14:05' }] },
    { role: 'user', content: 'Thanks!' },
  ];

  it('turns assistant tool_calls into functionCall parts with parsed args and no id', () => {
    const model = toGoogleRequest(request(conversation)).contents[1];
    expect(model).toEqual({
      role: 'model',
      parts: [
        { text: 'Checking.' },
        { functionCall: { name: 'get_weather', args: { location: 'Paris', unit: 'celsius' } } },
        { functionCall: { name: 'get_time', args: {} } },
      ],
    });
  });

  it('answers with functionResponse parts in one user turn, named after the matching call', () => {
    const user = toGoogleRequest(request(conversation)).contents[2];
    expect(user).toEqual({
      role: 'user',
      parts: [
        { functionResponse: { name: 'get_weather', response: { temperature: 18, sky: 'clear' } } },
        { functionResponse: { name: 'get_time', response: { content: '14:05' } } },
        { text: 'Thanks!' },
      ],
    });
  });

  it('wraps tool output that is JSON but not an object (arrays, numbers, null)', () => {
    for (const content of ['[1,2,3]', '42', 'null', '"quoted"']) {
      const body = toGoogleRequest(
        request([
          { role: 'user', content: 'go' },
          { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{}' } }] },
          { role: 'tool', tool_call_id: 'c1', content },
        ]),
      );
      expect(body.contents[2].parts[0].functionResponse).toEqual({ name: 'f', response: { content } });
    }
  });

  it('rejects arguments that are not valid JSON, naming the exact param', () => {
    const error = thrown(() =>
      toGoogleRequest(
        request([
          { role: 'user', content: 'go' },
          { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":' } }] },
        ]),
      ),
    );
    expect(error.status).toBe(400);
    expect(error.type).toBe('invalid_request_error');
    expect(error.param).toBe('messages[1].tool_calls[0].function.arguments');
  });

  it('rejects arguments that are JSON but not an object', () => {
    const error = thrown(() =>
      toGoogleRequest(
        request([
          { role: 'user', content: 'go' },
          { role: 'assistant', tool_calls: [{ id: 'c1', type: 'function', function: { name: 'f', arguments: '[1]' } }] },
        ]),
      ),
    );
    expect(error.param).toBe('messages[1].tool_calls[0].function.arguments');
  });

  it('rejects a tool result whose tool_call_id matches no earlier assistant call', () => {
    const error = thrown(() =>
      toGoogleRequest(
        request([
          { role: 'user', content: 'go' },
          { role: 'tool', tool_call_id: 'call_unknown', content: 'x' },
        ]),
      ),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[1].tool_call_id');
    expect(error.message).toContain('call_unknown');
  });

  it('signs the first functionCall of each replayed model turn for Gemini 3 models only', () => {
    const history: ChatMessage[] = [
      ...conversation,
      { role: 'assistant', tool_calls: [{ id: 'c3', type: 'function', function: { name: 'get_time', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 'c3', content: '14:06' },
    ];
    const gemini3 = toGoogleRequest(request(history, { model: 'models/gemini-3-pro-preview' })).contents;
    const calls = gemini3.flatMap((c) => c.parts).filter((p) => p.functionCall);
    expect(calls.map((p) => p.thoughtSignature)).toEqual([GOOGLE_THOUGHT_SIGNATURE_SENTINEL, undefined, GOOGLE_THOUGHT_SIGNATURE_SENTINEL]);

    const gemini25 = toGoogleRequest(request(history, { model: 'gemini-2.5-flash' })).contents;
    expect(gemini25.flatMap((c) => c.parts).some((p) => p.thoughtSignature !== undefined)).toBe(false);
  });
});

describe('toGoogleRequest: images', () => {
  function imageParts(url: string) {
    return toGoogleRequest(
      request([{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url } }] }]),
    ).contents[0].parts;
  }

  it('sends a base64 data: URL as inlineData', () => {
    expect(imageParts('data:image/png;base64,iVBORw0KGgo=')[1]).toEqual({ inlineData: { mimeType: 'image/png', data: 'iVBORw0KGgo=' } });
  });

  it('base64-encodes a percent-encoded data: URL', () => {
    const part = imageParts('data:image/svg+xml,%3Csvg%2F%3E')[1];
    expect(part.inlineData?.mimeType).toBe('image/svg+xml');
    expect(Buffer.from(part.inlineData!.data, 'base64').toString('utf8')).toBe('<svg/>');
  });

  it('sends other URLs as fileData, with a MIME type when the extension tells it', () => {
    expect(imageParts('https://example.com/cat.JPG?size=large')[1]).toEqual({
      fileData: { fileUri: 'https://example.com/cat.JPG?size=large', mimeType: 'image/jpeg' },
    });
    expect(imageParts('https://generativelanguage.googleapis.com/v1beta/files/abc123')[1]).toEqual({
      fileData: { fileUri: 'https://generativelanguage.googleapis.com/v1beta/files/abc123' },
    });
  });

  it('rejects a data: URL without a MIME type, naming the part', () => {
    const error = thrown(() => imageParts('data:;base64,AAAA'));
    expect(error.param).toBe('messages[0].content[1].image_url.url');
  });
});

describe('toGoogleRequest: generationConfig', () => {
  it('maps every sampling option', () => {
    const body = toGoogleRequest(
      request([{ role: 'user', content: 'Hi' }], {
        max_tokens: 100,
        max_completion_tokens: 256,
        temperature: 0.2,
        top_p: 0.9,
        stop: 'END',
        n: 2,
        seed: 7,
        presence_penalty: 0.5,
        frequency_penalty: -0.5,
        user: 'u-1',
        logit_bias: { '42': 5 },
      }),
    );
    expect(body.generationConfig).toEqual({
      maxOutputTokens: 256,
      temperature: 0.2,
      topP: 0.9,
      stopSequences: ['END'],
      candidateCount: 2,
      seed: 7,
      presencePenalty: 0.5,
      frequencyPenalty: -0.5,
    });
  });

  it('falls back to max_tokens and keeps a stop array; omits generationConfig when nothing is set', () => {
    expect(toGoogleRequest(request([{ role: 'user', content: 'Hi' }], { max_tokens: 50, stop: ['a', 'b'] })).generationConfig).toEqual({
      maxOutputTokens: 50,
      stopSequences: ['a', 'b'],
    });
    expect(toGoogleRequest(request([{ role: 'user', content: 'Hi' }])).generationConfig).toBeUndefined();
  });

  it('keeps temperature 0 (a falsy but meaningful value)', () => {
    expect(toGoogleRequest(request([{ role: 'user', content: 'Hi' }], { temperature: 0 })).generationConfig).toEqual({ temperature: 0 });
  });

  it('maps json_object to responseMimeType application/json', () => {
    const config = toGoogleRequest(request([{ role: 'user', content: 'Hi' }], { response_format: { type: 'json_object' } })).generationConfig;
    expect(config).toEqual({ responseMimeType: 'application/json' });
  });

  it('maps json_schema to responseJsonSchema, keeping JSON Schema keys and dropping $schema', () => {
    const schema = {
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: { city: { type: 'string' }, tags: { type: 'array', items: { $ref: '#/$defs/tag' } } },
      required: ['city', 'tags'],
      additionalProperties: false,
      $defs: { tag: { type: 'string' } },
    };
    const config = toGoogleRequest(
      request([{ role: 'user', content: 'Hi' }], { response_format: { type: 'json_schema', json_schema: { name: 'answer', schema, strict: true } } }),
    ).generationConfig!;
    const { $schema: _dialect, ...expected } = schema;
    expect(config.responseMimeType).toBe('application/json');
    expect(config.responseJsonSchema).toEqual(expected);
    expect(config).not.toHaveProperty('responseSchema');
  });

  it('treats response_format text as the default', () => {
    expect(toGoogleRequest(request([{ role: 'user', content: 'Hi' }], { response_format: { type: 'text' } })).generationConfig).toBeUndefined();
  });
});

describe('toGoogleRequest: tools and tool_choice', () => {
  it('declares functions with their JSON Schema in parametersJsonSchema (never `parameters`)', () => {
    const body = toGoogleRequest(
      request([{ role: 'user', content: 'Hi' }], { tools: [weatherTool, { type: 'function', function: { name: 'get_time' } }] }),
    );
    const { $schema: _dialect, ...parameters } = weatherTool.function.parameters;
    expect(body.tools).toEqual([
      {
        functionDeclarations: [
          { name: 'get_weather', description: 'Current weather for a city', parametersJsonSchema: parameters },
          { name: 'get_time' },
        ],
      },
    ]);
    expect(body.tools![0].functionDeclarations[0]).not.toHaveProperty('parameters');
    expect(body.tools![0].functionDeclarations[0].parametersJsonSchema).toHaveProperty('additionalProperties', false);
  });

  it.each([
    ['auto', { mode: 'AUTO' }],
    ['none', { mode: 'NONE' }],
    ['required', { mode: 'ANY' }],
    [{ type: 'function', function: { name: 'get_weather' } }, { mode: 'ANY', allowedFunctionNames: ['get_weather'] }],
  ] as const)('maps tool_choice %j to functionCallingConfig %j', (choice, expected) => {
    const body = toGoogleRequest(request([{ role: 'user', content: 'Hi' }], { tools: [weatherTool], tool_choice: choice }));
    expect(body.toolConfig).toEqual({ functionCallingConfig: expected });
  });

  it('sends no toolConfig without tool_choice, and no tools/toolConfig without tools', () => {
    expect(toGoogleRequest(request([{ role: 'user', content: 'Hi' }], { tools: [weatherTool] })).toolConfig).toBeUndefined();
    const body = toGoogleRequest(request([{ role: 'user', content: 'Hi' }], { tools: [], tool_choice: 'none' }));
    expect(body.tools).toBeUndefined();
    expect(body.toolConfig).toBeUndefined();
  });

  it('rejects a named tool_choice that is not among the tools', () => {
    const error = thrown(() =>
      toGoogleRequest(
        request([{ role: 'user', content: 'Hi' }], { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'nope' } } }),
      ),
    );
    expect(error.status).toBe(400);
    expect(error.param).toBe('tool_choice');
  });
});
