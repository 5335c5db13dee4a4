import { sigV4Signer } from '@llm-connector-hub/providers';
import { startFake, type RunningFake } from '../test/helpers';
import { FAKE_AWS_CREDENTIALS } from './bedrock.signature';

const PATH = '/model/amazon.nova-micro-v1%3A0/converse';
const BODY = JSON.stringify({ messages: [{ role: 'user', content: [{ text: 'hello there' }] }] });

describe('Bedrock routes', () => {
  let t: RunningFake;
  beforeAll(async () => {
    t = await startFake();
  });
  afterAll(() => t.fake.close());

  /** POSTs BODY signed with the given secret; `tamper` changes the request after signing. */
  async function send(secretAccessKey: string, tamper: (headers: Record<string, string>, body: string) => string = (_, body) => body) {
    const url = new URL(`${t.base}${PATH}`);
    const sign = sigV4Signer('bedrock', 'us-east-1', { accessKeyId: FAKE_AWS_CREDENTIALS.accessKeyId, secretAccessKey });
    const headers = await sign({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: BODY });
    delete headers.host; // fetch sets it, to the same value
    const body = tamper(headers, BODY);
    return fetch(url, { method: 'POST', headers, body });
  }

  it('answers a request signed with the test credentials', async () => {
    const res = await send(FAKE_AWS_CREDENTIALS.secretAccessKey);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ output: { message: { role: 'assistant', content: [{ text: 'Fake reply to: hello there' }] } }, stopReason: 'end_turn' });
  });

  it('refuses with 403 a wrong secret, a changed body, a changed header, or no signature at all', async () => {
    expect((await send('wrong-secret')).status).toBe(403);
    expect((await send(FAKE_AWS_CREDENTIALS.secretAccessKey, (_, body) => body.replace('hello', 'howdy'))).status).toBe(403);
    expect((await send(FAKE_AWS_CREDENTIALS.secretAccessKey, (headers, body) => ((headers['x-amz-date'] = '20200101T000000Z'), body))).status).toBe(403);
    const unsigned = await t.post(PATH, BODY);
    expect(unsigned.status).toBe(403);
    expect(await unsigned.json()).toEqual({ message: 'Missing Authentication Token' });
  });
});
