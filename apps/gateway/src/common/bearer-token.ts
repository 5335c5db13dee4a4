import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Bearer tokens compared as SHA-256 digests with timingSafeEqual (equal lengths, constant time),
 * checking every configured digest, so timing reveals neither a token nor which one matched.
 * Shared by the API's key guard and the metrics listener.
 */
export function tokenDigest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * The digest of the token in an `Authorization: Bearer <token>` header, or undefined when there is
 * none. The scheme is case-insensitive (RFC 9110 §11.1): `bearer <token>` is as good as `Bearer <token>`.
 */
export function presentedDigest(header: string | string[] | undefined): Buffer | undefined {
  if (typeof header !== 'string' || !/^bearer /i.test(header)) return undefined;
  return tokenDigest(header.slice(7).trim());
}

/** Whether `presented` is one of `digests`; every one is compared. */
export function matchesAny(digests: readonly Buffer[], presented: Buffer): boolean {
  let match = false;
  for (const digest of digests) match = timingSafeEqual(digest, presented) || match;
  return match;
}
