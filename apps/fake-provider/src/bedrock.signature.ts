/**
 * AWS SigV4 verification for the fake Bedrock: the signature a request carries is computed again
 * from the request as received (method, path, the signed headers, the body) with the test
 * credentials, so a gateway that signs something other than what it sends fails its tests.
 */
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Exchange } from './exchange';

/** The credentials the fake knows. Tests configure the gateway's Bedrock provider with them. */
export const FAKE_AWS_CREDENTIALS = { accessKeyId: 'AKIAFAKEGATEWAYTEST01', secretAccessKey: 'fake/Secret+Key/For/The/Gateway/Tests/000' } as const;

const AUTHORIZATION = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

export interface SignatureRefusal {
  status: number;
  message: string;
}

export async function verifySigV4(ex: Exchange, body: string): Promise<SignatureRefusal | undefined> {
  const match = AUTHORIZATION.exec(ex.header('authorization') ?? '');
  if (!match) return { status: 403, message: 'Missing Authentication Token' };
  const [, accessKeyId, , region, service, signedHeaders, signature] = match;
  if (accessKeyId !== FAKE_AWS_CREDENTIALS.accessKeyId) return { status: 403, message: 'The security token included in the request is invalid.' };
  const amzDate = ex.header('x-amz-date');
  if (!amzDate || !/^\d{8}T\d{6}Z$/.test(amzDate)) return { status: 403, message: "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." };
  const headers: Record<string, string> = {};
  for (const name of signedHeaders.split(';')) {
    const value = name === 'host' ? (ex.header('host') ?? ex.header(':authority')) : ex.header(name);
    if (value === undefined) return { status: 403, message: `Signed header ${name} is missing.` };
    headers[name] = value;
  }
  // The signer trusts a given x-amz-content-sha256 over the body: left out, it hashes the body as
  // received and signs that hash under the same header name, so a body other than the one signed fails.
  delete headers['x-amz-content-sha256'];
  const url = new URL(ex.req.url ?? '/', 'http://fake');
  const signer = new SignatureV4({
    service,
    region,
    credentials: { accessKeyId, secretAccessKey: FAKE_AWS_CREDENTIALS.secretAccessKey, sessionToken: ex.header('x-amz-security-token') },
    sha256: Sha256,
  });
  const signingDate = new Date(`${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`);
  const signed = await signer.sign(
    { method: ex.req.method ?? 'POST', protocol: 'http:', hostname: headers.host ?? '', path: url.pathname, query: Object.fromEntries(url.searchParams), headers, body },
    { signingDate },
  );
  const expected = /Signature=([0-9a-f]{64})/.exec(String(signed.headers.authorization))?.[1];
  if (expected !== signature) {
    return {
      status: 403,
      message: 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.',
    };
  }
  return undefined;
}
