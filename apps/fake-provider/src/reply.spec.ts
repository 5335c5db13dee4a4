import { PADDING_MARKER, PADDING_PIECE } from './padding';
import { countWords, planReply, splitEvenly, type Conversation } from './reply';
import { argumentsFromSchema } from './tool-arguments';

const conversation = (overrides: Partial<Conversation> = {}): Conversation => ({
  userText: 'hello world',
  toolResults: [],
  promptWords: 2,
  tools: [],
  ...overrides,
});

describe('planReply', () => {
  it('echoes the prompt in deterministic chunks with word-count usage', () => {
    const plan = planReply(conversation(), undefined);
    expect(plan.text).toBe('Fake reply to: hello world');
    expect(plan.chunks).toHaveLength(5);
    expect(plan.chunks.join('')).toBe(plan.text);
    expect(plan.promptTokens).toBe(2);
    expect(plan.completionTokens).toBe(5);
    expect(planReply(conversation(), undefined)).toEqual(plan);
  });

  it('answers tool results when the tools directive is absent', () => {
    const plan = planReply(conversation({ toolResults: ['22C', 'sunny'] }), undefined);
    expect(plan.text).toBe('Fake reply using tool results: 22C | sunny');
  });

  it('answers a value of the schema the request asked for, as a real provider honours structured output', () => {
    const answerSchema = { type: 'object', properties: { city: { type: 'string' }, population: { type: 'integer' } }, required: ['city', 'population'] };
    expect(JSON.parse(planReply(conversation({ answerSchema }), undefined).text)).toEqual({ city: 'fake-city', population: 1 });
    // The answer after a tool round trip still uses the tool results.
    expect(planReply(conversation({ answerSchema, toolResults: ['22C'] }), undefined).text).toBe('Fake reply using tool results: 22C');
  });

  it('calls a forced tool without any directive', () => {
    const tools = [
      { name: 'lookup', schema: { type: 'object', properties: { q: { type: 'string' } } } },
      { name: 'json_response', schema: { type: 'object', properties: { city: { type: 'string' } } } },
    ];
    const plan = planReply(conversation({ tools, forcedTool: 'json_response' }), undefined);
    expect(plan.toolCalls.map((call) => [call.name, call.args])).toEqual([['json_response', { city: 'fake-city' }]]);
    expect(planReply(conversation({ tools, forcedTool: 'missing' }), undefined).toolCalls).toEqual([]);
  });

  it('calls every declared tool, or the first N', () => {
    const tools = [
      { name: 'a', schema: { type: 'object', properties: { q: { type: 'string' } } } },
      { name: 'b', schema: { type: 'object', properties: { n: { type: 'number' } } } },
    ];
    const hang = false;
    const all = planReply(conversation({ tools }), { tools: Infinity, hang, reset: false, json: false, stall: false, echoKey: false });
    expect(all.toolCalls.map((c) => [c.name, c.argsJson])).toEqual([
      ['a', '{"q":"fake-q"}'],
      ['b', '{"n":1}'],
    ]);
    for (const call of all.toolCalls) {
      expect(call.pieces.join('')).toBe(call.argsJson);
      for (const piece of call.pieces) expect(piece.length).toBeLessThanOrEqual(8);
    }
    const first = planReply(conversation({ tools }), { tools: 1, hang, reset: false, json: false, stall: false, echoKey: false });
    expect(first.toolCalls.map((c) => c.name)).toEqual(['a']);
  });

  it('pads a reply: a marker for the writers in the JSON text and the first chunk, padding chunks for a stream', () => {
    const base = { hang: false, reset: false, json: false, stall: false, echoKey: false };
    const sized = planReply(conversation(), { ...base, size: 40_000 });
    expect(sized.text).toBe(`Fake reply to: hello world${PADDING_MARKER}`);
    expect(sized.chunks.slice(0, 5).join('')).toBe('Fake reply to: hello world');
    expect(sized.chunks.slice(5)).toEqual([PADDING_PIECE, PADDING_PIECE, PADDING_PIECE]);
    const event = planReply(conversation(), { ...base, eventSize: 1000 });
    expect(event.chunks[0]).toBe(splitEvenly('Fake reply to: hello world', 5)[0] + PADDING_MARKER);
    expect(event.text).toBe('Fake reply to: hello world');
  });

  it('replies {"ok":true} under the json directive', () => {
    expect(planReply(conversation(), { json: true, hang: false, reset: false, stall: false, echoKey: false }).text).toBe('{"ok":true}');
  });

  it('gives each answer its own text under the vary directive, as a sampling model does', () => {
    const vary = { vary: true, hang: false, reset: false, json: false, stall: false, echoKey: false };
    const first = planReply(conversation(), vary);
    const second = planReply(conversation(), vary);
    expect(first.text).toMatch(/^Fake reply to: hello world \(sample \d+\)$/);
    expect(second.text).not.toBe(first.text);
    expect(second.chunks.join('')).toBe(second.text);
  });
});

describe('argumentsFromSchema', () => {
  it('fills every declared and required property by type', () => {
    expect(
      argumentsFromSchema({
        type: 'object',
        properties: {
          city: { type: 'string' },
          days: { type: 'integer' },
          metric: { type: 'boolean' },
          unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
          tags: { type: 'array', items: { type: 'string' } },
          where: { type: 'object', properties: { lat: { type: 'number' } } },
          maybe: { type: ['string', 'null'] },
          either: { anyOf: [{ type: 'null' }, { type: 'integer' }] },
        },
        required: ['city', 'extra'],
      }),
    ).toEqual({
      city: 'fake-city',
      days: 1,
      metric: true,
      unit: 'celsius',
      tags: ['fake-tags'],
      where: { lat: 1 },
      maybe: 'fake-maybe',
      either: 1,
      extra: 'fake-extra',
    });
  });

  it("reads Gemini's upper-case types and tolerates a missing schema", () => {
    expect(argumentsFromSchema({ type: 'OBJECT', properties: { q: { type: 'STRING' } } })).toEqual({ q: 'fake-q' });
    expect(argumentsFromSchema(undefined)).toEqual({});
  });
});

describe('splitEvenly / countWords', () => {
  it('splits into n non-empty pieces, fewer for short text, never inside a surrogate pair', () => {
    expect(splitEvenly('abcdefghij', 3)).toEqual(['abc', 'def', 'ghij']);
    expect(splitEvenly('ab', 5)).toEqual(['a', 'b']);
    const emoji = splitEvenly('a😀b😀c', 4);
    expect(emoji.join('')).toBe('a😀b😀c');
    for (const piece of emoji) expect(piece).not.toMatch(/^[\udc00-\udfff]|[\ud800-\udbff]$/);
  });

  it('counts whitespace-separated words', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('  one\ttwo\nthree  ')).toBe(3);
  });
});
