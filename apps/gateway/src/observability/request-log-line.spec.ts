import { formatRequestLine } from './request-log-line';

describe('formatRequestLine', () => {
  it('writes one JSON line that parses to the fields, undefined ones left out', () => {
    const line = formatRequestLine(
      { requestId: 'r-1', method: 'POST', route: '/v1/chat/completions', status: 200, latencyMs: 2.5, provider: 'openai', model: 'gpt-4o', cache: 'MISS', stream: false, promptTokens: 3, completionTokens: 5, costUsd: 0.0000125 },
      1795972704641,
    );
    expect(line.endsWith('}\n')).toBe(true);
    expect(line.split('\n')).toHaveLength(2);
    expect(JSON.parse(line)).toEqual({
      level: 'info',
      time: 1795972704641,
      requestId: 'r-1',
      method: 'POST',
      route: '/v1/chat/completions',
      status: 200,
      latencyMs: 2.5,
      provider: 'openai',
      model: 'gpt-4o',
      cache: 'MISS',
      stream: false,
      promptTokens: 3,
      completionTokens: 5,
      costUsd: 0.0000125,
      msg: 'request',
    });
  });

  it('escapes whatever a client can put in a string, so the line stays one valid JSON object', () => {
    const hostile = 'm"},"status":500,"x":"\n{"level":"error"';
    const line = formatRequestLine({ requestId: 'r', method: 'POST', route: '/v1/chat/completions', status: 404, latencyMs: 1, model: hostile, cache: 'BYPASS', stream: true, messages: [{ role: 'user', content: 'a\nb"c' }], answer: 'd\u2028e' }, 1);
    expect(line.split('\n')).toHaveLength(2);
    const parsed = JSON.parse(line);
    expect(parsed.model).toBe(hostile);
    expect(parsed.status).toBe(404);
    expect(parsed.messages).toEqual([{ role: 'user', content: 'a\nb"c' }]);
    expect(parsed.answer).toBe('d\u2028e');
  });
});
