/**
 * Encryption at rest for secrets such as the Spotify refresh token: AES-256-GCM with a key
 * derived from a configured secret by scrypt (once per box), a fresh 96-bit IV per message,
 * and an optional context bound as additional authenticated data (a sealed refresh token
 * cannot be replayed as some other secret).
 *
 * Sealed form: `v1.<iv>.<tag>.<ciphertext>`, each part base64url. `open` fails with
 * SecretBoxError('undecryptable') for a wrong key, a changed byte or a different context, and
 * with 'malformed' for a string that is not a sealed value.
 */
import { createCipheriv, createDecipheriv, randomBytes, scryptSync } from 'node:crypto';

export const SECRET_BOX_VERSION = 'v1';
const SALT = 'roadie/secret-box/v1';
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** scrypt cost: N = 2^15, r = 8, p = 1 (≈ 32 MiB, tens of ms, once per box). */
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 << 20 } as const;
export const MIN_SECRET_LENGTH = 16;

export class SecretBoxError extends Error {
  override name = 'SecretBoxError';
  constructor(
    readonly code: 'malformed' | 'undecryptable' | 'weak_secret',
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface SecretBox {
  seal(plain: string, context?: string): string;
  open(sealed: string, context?: string): string;
}

const SEALED = /^v1\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]*)$/;

/** Whether a stored value looks sealed (for migrating plain values). */
export function isSealed(value: string): boolean {
  return SEALED.test(value);
}

/** A box keyed by `secret` (e.g. ROADIE_SECRET_KEY); refuses a secret shorter than 16 characters. */
export function createSecretBox(secret: string): SecretBox {
  if (secret.length < MIN_SECRET_LENGTH) throw new SecretBoxError('weak_secret', `the encryption secret must be at least ${MIN_SECRET_LENGTH} characters`);
  const key = scryptSync(secret, SALT, 32, SCRYPT);
  const aad = (context: string | undefined): Buffer => Buffer.from(`${SECRET_BOX_VERSION}|${context ?? ''}`, 'utf8');
  return {
    seal(plain, context) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
      cipher.setAAD(aad(context));
      const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return [SECRET_BOX_VERSION, iv.toString('base64url'), tag.toString('base64url'), ct.toString('base64url')].join('.');
    },
    open(sealed, context) {
      const m = SEALED.exec(sealed);
      if (!m) throw new SecretBoxError('malformed', 'not a sealed value (expected v1.<iv>.<tag>.<ciphertext>)');
      const iv = Buffer.from(m[1]!, 'base64url');
      const tag = Buffer.from(m[2]!, 'base64url');
      const ct = Buffer.from(m[3]!, 'base64url');
      if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new SecretBoxError('malformed', 'a sealed value with a wrong IV or tag length');
      try {
        const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
        decipher.setAAD(aad(context));
        decipher.setAuthTag(tag);
        return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8');
      } catch (err) {
        throw new SecretBoxError('undecryptable', 'the sealed value cannot be opened: wrong key, changed data or another context', { cause: err });
      }
    },
  };
}
