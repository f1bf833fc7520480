import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { InvalidPrincipalError, toPrincipal, type Principal } from './principal';

export const TOKEN_ISSUER = 'cnfs-platform';
export const TOKEN_AUDIENCE = 'cnfs-api';
export const TOKEN_ALGORITHM = 'HS256';
/** Minimum HS256 key length, in bytes (RFC 7518 §3.2: a key at least as long as the hash). */
export const MIN_SECRET_BYTES = 32;

/**
 * The secret of the local stack, used when `JWT_SECRET` is unset (callers warn when they fall back
 * to it). Public by design: never use it outside a developer machine.
 */
export const DEV_JWT_SECRET = 'cnfs-local-development-only-secret-never-use-in-production';

export type InvalidTokenReason = 'expired' | 'malformed' | 'bad_signature' | 'bad_claims';

/** The token cannot be trusted; `reason` says why. Maps to a 401. */
export class InvalidTokenError extends Error {
  constructor(
    readonly reason: InvalidTokenReason,
    message: string,
  ) {
    super(message);
    this.name = 'InvalidTokenError';
  }
}

function keyOf(secret: string | Uint8Array): Uint8Array {
  const key = typeof secret === 'string' ? new TextEncoder().encode(secret) : secret;
  if (key.byteLength < MIN_SECRET_BYTES) {
    throw new Error(`The JWT secret must be at least ${MIN_SECRET_BYTES} bytes long for HS256`);
  }
  return key;
}

/**
 * The JWT secret to use: `JWT_SECRET` when set, else {@link DEV_JWT_SECRET} with `warn` called —
 * except under `NODE_ENV=production`, where a missing secret is an error.
 */
export function resolveJwtSecret(env: Record<string, string | undefined> = process.env, warn: (message: string) => void = () => undefined): string {
  const secret = env.JWT_SECRET;
  if (secret !== undefined && secret !== '') {
    keyOf(secret);
    return secret;
  }
  if (env.NODE_ENV === 'production') {
    throw new Error('JWT_SECRET is not set; refusing to fall back to the development secret with NODE_ENV=production');
  }
  warn('JWT_SECRET is not set: using the public development secret DEV_JWT_SECRET (local stack only)');
  return DEV_JWT_SECRET;
}

const TTL = /^(\d+)\s*(s|m|h|d)?$/;
const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86400 } as const;

/** A time-to-live in seconds: a positive integer number of seconds, or "90s", "15m", "8h", "7d". */
export function parseTtl(ttl: string | number): number {
  if (typeof ttl === 'number') {
    if (!Number.isSafeInteger(ttl) || ttl <= 0) throw new RangeError(`A token TTL must be a positive whole number of seconds, got ${ttl}`);
    return ttl;
  }
  const match = TTL.exec(String(ttl).trim());
  const seconds = match ? Number(match[1]) * UNIT_SECONDS[(match[2] ?? 's') as keyof typeof UNIT_SECONDS] : NaN;
  if (!Number.isSafeInteger(seconds) || seconds <= 0) {
    throw new RangeError(`Invalid token TTL ${JSON.stringify(ttl)}: use a positive duration such as 3600, "90s", "15m", "8h" or "7d"`);
  }
  return seconds;
}

export interface SignOptions {
  /** Issue time (tests); defaults to now. */
  now?: Date;
}

/** Signs an HS256 token for `principal` (validated first), valid for `ttl` (default 8 hours). */
export async function signToken(principal: Principal, secret: string | Uint8Array, ttl: string | number = '8h', options: SignOptions = {}): Promise<string> {
  const checked = toPrincipal({ ...principal });
  const lifetime = parseTtl(ttl);
  const issuedAt = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const { subject, ...claims } = checked;
  return new SignJWT({ ...claims })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: 'JWT' })
    .setSubject(subject)
    .setIssuer(TOKEN_ISSUER)
    .setAudience(TOKEN_AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + lifetime)
    .sign(keyOf(secret));
}

export interface VerifyOptions {
  /** The current time (tests); defaults to now. */
  now?: Date;
  /** Accepted clock skew, in seconds (default 0). */
  clockToleranceSeconds?: number;
}

/**
 * Verifies an HS256 token (signature, issuer `cnfs-platform`, audience `cnfs-api`, an `exp` claim
 * that has not passed) and returns its {@link Principal}. Throws {@link InvalidTokenError}.
 */
export async function verifyToken(token: string, secret: string | Uint8Array, options: VerifyOptions = {}): Promise<Principal> {
  const key = keyOf(secret);
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, key, {
      algorithms: [TOKEN_ALGORITHM],
      issuer: TOKEN_ISSUER,
      audience: TOKEN_AUDIENCE,
      requiredClaims: ['exp', 'sub'],
      currentDate: options.now,
      clockTolerance: options.clockToleranceSeconds ?? 0,
    }));
  } catch (error) {
    throw toInvalidTokenError(error);
  }
  try {
    return toPrincipal({
      subject: payload.sub,
      role: payload.role,
      departments: payload.departments,
      lot: payload.lot,
      structureId: payload.structureId,
    });
  } catch (error) {
    if (error instanceof InvalidPrincipalError) throw new InvalidTokenError('bad_claims', `Token claims are invalid: ${error.message}`);
    throw error;
  }
}

function toInvalidTokenError(error: unknown): InvalidTokenError {
  if (error instanceof joseErrors.JWTExpired) return new InvalidTokenError('expired', 'Token has expired');
  if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
    return new InvalidTokenError('bad_signature', 'Token signature is invalid');
  }
  if (error instanceof joseErrors.JWTClaimValidationFailed) {
    return new InvalidTokenError('bad_claims', `Token claim "${error.claim}" is invalid: ${error.message}`);
  }
  if (error instanceof joseErrors.JOSEAlgNotAllowed) {
    return new InvalidTokenError('malformed', `Token algorithm is not allowed; expected ${TOKEN_ALGORITHM}`);
  }
  if (error instanceof joseErrors.JOSEError) return new InvalidTokenError('malformed', `Token is malformed: ${error.message}`);
  return new InvalidTokenError('malformed', 'Token is malformed');
}
