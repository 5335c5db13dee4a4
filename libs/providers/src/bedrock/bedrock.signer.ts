import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { RequestSigner } from '../shared';

export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Temporary credentials (STS, an assumed role) come with one. */
  sessionToken?: string;
}

/**
 * Signs each request with AWS Signature Version 4 (Smithy's signer, as the AWS SDK does), for
 * `service` in `region`: the signature covers the method, path, host, the `x-amz-*` and content
 * headers and the body's SHA-256.
 */
export function sigV4Signer(service: string, region: string, credentials: AwsCredentials): RequestSigner {
  const signer = new SignatureV4({ service, region, credentials, sha256: Sha256 });
  return async ({ method, url, headers, body }) => {
    const signed = await signer.sign({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      // `host` is signed: it is sent as signed (undici takes a given host header as the request's host).
      headers: { ...headers, host: url.host },
      body,
    });
    return signed.headers;
  };
}
