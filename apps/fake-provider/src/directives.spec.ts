import { parseDirectiveBody, parsePrompt } from './directives';

describe('parsePrompt', () => {
  it('returns the text untouched when there is no directive', () => {
    expect(parsePrompt('just a question')).toEqual({ directives: undefined, text: 'just a question' });
  });

  it('extracts keys, values and flags, and strips the token from the text', () => {
    const { directives, text } = parsePrompt('What is up? [[fake status=429 retry-after=3 latency=20 gather=300 tools=1 json hang reset]] please');
    expect(text).toBe('What is up? please');
    expect(directives).toEqual({
      status: 429,
      retryAfter: 3,
      latency: 20,
      gather: 300,
      tools: 1,
      json: true,
      hang: true,
      reset: true,
      stall: false,
      echoKey: false,
    });
  });

  it('reads stream directives', () => {
    expect(parsePrompt('[[fake chunks=7 chunk-delay=5 cut-after=2 error-after=3]] hi')).toEqual({
      directives: { chunks: 7, chunkDelay: 5, cutAfter: 2, errorAfter: 3, hang: false, reset: false, json: false, stall: false, echoKey: false },
      text: 'hi',
    });
  });

  it('treats a bare `tools` as every tool and a bare token as no behaviour', () => {
    expect(parsePrompt('x [[fake tools]]').directives?.tools).toBe(Infinity);
    expect(parsePrompt('[[fake]] y')).toEqual({ directives: { hang: false, reset: false, json: false, stall: false, echoKey: false }, text: 'y' });
  });

  it('reads the directives of a misbehaving upstream: sizes, drips and stalls', () => {
    expect(parsePrompt('[[fake size=1048576 event-size=65536 drip=50 stall-after=2 stall]] hi').directives).toEqual({
      size: 1_048_576,
      eventSize: 65_536,
      drip: 50,
      stallAfter: 2,
      stall: true,
      hang: false,
      reset: false,
      json: false,
      echoKey: false,
    });
  });

  it('reads echo-key', () => {
    expect(parsePrompt('[[fake echo-key status=403]] hi').directives).toMatchObject({ echoKey: true, status: 403 });
    expect(parsePrompt('[[fake vary]] hi').directives).toMatchObject({ vary: true });
  });

  it('ignores unknown keys and invalid values', () => {
    expect(parseDirectiveBody('status=200 chunks=0 latency=-1 gather=0 cut-after=x nope=1 size=-5 event-size=999999999999 drip=0')).toStrictEqual({
      hang: false,
      reset: false,
      json: false,
      stall: false,
      echoKey: false,
    });
  });

  it('leaves look-alike text alone', () => {
    expect(parsePrompt('[[fakery]] and [[fake')).toEqual({ directives: undefined, text: '[[fakery]] and [[fake' });
  });
});
