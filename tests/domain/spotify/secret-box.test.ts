import { describe, expect, it } from 'vitest';
import { createSecretBox, isSealed, SecretBoxError } from '../../../server/domain/spotify/secret-box.js';

const box = createSecretBox('correct horse battery staple');
const other = createSecretBox('another secret of enough length');
const TOKEN = 'AQD1x-refresh-token_with.unicode-é';

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SecretBoxError);
    return (err as SecretBoxError).code;
  }
  throw new Error('did not throw');
}

describe('secret box', () => {
  it('round-trips, with a versioned string and a fresh IV each time', () => {
    const a = box.seal(TOKEN);
    const b = box.seal(TOKEN);
    expect(a).toMatch(/^v1\.[\w-]{16}\.[\w-]{22}\.[\w-]+$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('refresh');
    expect(isSealed(a)).toBe(true);
    expect(isSealed(TOKEN)).toBe(false);
    expect(box.open(a)).toBe(TOKEN);
    expect(box.open(b)).toBe(TOKEN);
    expect(box.open(box.seal(''))).toBe('');
  });

  it('opens with a second box of the same secret (the key is derived, not random)', () => {
    expect(createSecretBox('correct horse battery staple').open(box.seal(TOKEN))).toBe(TOKEN);
  });

  it('fails with the wrong key', () => {
    expect(codeOf(() => other.open(box.seal(TOKEN)))).toBe('undecryptable');
  });

  it('fails when any part was tampered with', () => {
    const sealed = box.seal(TOKEN);
    const parts = sealed.split('.');
    for (const i of [1, 2, 3]) {
      const p = [...parts];
      const raw = Buffer.from(p[i]!, 'base64url');
      raw[0] = raw[0]! ^ 1;
      p[i] = raw.toString('base64url');
      expect(codeOf(() => box.open(p.join('.')))).toBe('undecryptable');
    }
    expect(codeOf(() => box.open(`${sealed}A`))).toBe('undecryptable');
  });

  it('binds the context', () => {
    const sealed = box.seal(TOKEN, 'spotify:refresh_token');
    expect(box.open(sealed, 'spotify:refresh_token')).toBe(TOKEN);
    expect(codeOf(() => box.open(sealed, 'other'))).toBe('undecryptable');
    expect(codeOf(() => box.open(sealed))).toBe('undecryptable');
  });

  it('refuses malformed values and weak secrets', () => {
    expect(codeOf(() => box.open('plain-token'))).toBe('malformed');
    expect(codeOf(() => box.open('v2.a.b.c'))).toBe('malformed');
    expect(codeOf(() => box.open('v1.AAAA.AAAA.AAAA'))).toBe('malformed');
    expect(codeOf(() => createSecretBox('short'))).toBe('weak_secret');
  });
});
