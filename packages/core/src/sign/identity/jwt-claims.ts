// Reads the claims of an OIDC identity token (never its signature: Fulcio checks that) so that we can
// fail early with a clear message. Messages never include the token itself.
import { ModelsealError } from '../../errors.js';

export type JwtClaims = Record<string, unknown>;

/** Decode a JWT's payload. Throws USAGE (without echoing the token) when it is not a JWT. */
export function readJwtClaims(token: string, source: string): JwtClaims {
  const parts = token.trim().split('.');
  if (parts.length !== 3 || !parts[1]) {
    throw new ModelsealError(
      'USAGE',
      `the identity token from ${source} is not a JWT (expected three dot-separated parts)`,
    );
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    throw new ModelsealError(
      'USAGE',
      `the identity token from ${source} has an unreadable payload (not base64url JSON)`,
    );
  }
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    throw new ModelsealError(
      'USAGE',
      `the identity token from ${source} has a payload that is not a JSON object`,
    );
  }
  return claims as JwtClaims;
}

/** The subject Fulcio will certify: a verified email, else `sub` (what @sigstore/sign signs as the challenge). */
export function tokenSubject(claims: JwtClaims, source: string): string {
  if (claims.email !== undefined) {
    if (claims.email_verified !== true) {
      throw new ModelsealError(
        'USAGE',
        `the identity token from ${source} has an email that its issuer has not verified`,
      );
    }
    return typeof claims.email === 'string' ? claims.email : JSON.stringify(claims.email);
  }
  if (typeof claims.sub === 'string' && claims.sub !== '') return claims.sub;
  throw new ModelsealError(
    'USAGE',
    `the identity token from ${source} has neither an email nor a subject (sub) claim`,
  );
}

/** Reject a token whose `exp` has passed (with a little slack for clock skew). */
export function assertNotExpired(claims: JwtClaims, source: string, now = Date.now()): void {
  if (typeof claims.exp === 'number' && claims.exp * 1000 + 30_000 < now) {
    throw new ModelsealError(
      'USAGE',
      `the identity token from ${source} expired at ${new Date(claims.exp * 1000).toISOString()}; get a fresh one`,
    );
  }
}
