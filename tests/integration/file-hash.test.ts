import { createHash, randomBytes } from 'node:crypto';
import { appendFileSync, closeSync, openSync, writeSync } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FileHash, FileHashError, HASH_STEP_BYTES, openFileHashes } from '../../server/downloads/file-hash.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('FileHash (SHA-256 of a growing file, on the hashing thread)', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-file-hash-'));
  });
  afterAll(() => fs.rm(dir, { recursive: true, force: true }));
  afterEach(() => expect(openFileHashes()).toBe(0));

  it('hashes a file while it is written, reading behind the writer', async () => {
    const data = randomBytes(3 * HASH_STEP_BYTES + 12345);
    const file = path.join(dir, 'growing.part');
    const fd = openSync(file, 'w');
    const h = new FileHash(file);
    let pos = 0;
    for (let i = 0; pos < data.length; i++) {
      const n = Math.min(data.length - pos, 100_000 + i * 4099);
      writeSync(fd, data, pos, n);
      pos += n;
      h.advance(pos);
    }
    closeSync(fd);
    expect(await h.digest(data.length)).toBe(sha256(data));
  });

  it('starts from a kept prefix (a resumed download) and hashes only the bytes it is told of', async () => {
    const data = randomBytes(2_000_000);
    const file = path.join(dir, 'resumed.part');
    await fs.writeFile(file, data.subarray(0, 700_000));
    const h = new FileHash(file);
    h.advance(700_000, true);
    appendFileSync(file, data.subarray(700_000));
    appendFileSync(file, Buffer.from('bytes past the end that are not part of the download'));
    expect(await h.digest(data.length)).toBe(sha256(data));
  });

  it('fails the digest when the file is shorter than said, or missing (with the errno code)', async () => {
    const file = path.join(dir, 'short.part');
    await fs.writeFile(file, Buffer.alloc(10));
    await expect(new FileHash(file).digest(11)).rejects.toThrow(/ends at 10 bytes, before 11/);
    const missing = new FileHash(path.join(dir, 'missing.part')).digest(5);
    await expect(missing).rejects.toBeInstanceOf(FileHashError);
    await expect(missing).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('close() forgets the hash and fails a digest still waiting', async () => {
    const file = path.join(dir, 'closed.part');
    await fs.writeFile(file, Buffer.alloc(HASH_STEP_BYTES));
    const h = new FileHash(file);
    const d = h.digest(HASH_STEP_BYTES);
    h.close();
    await expect(d).rejects.toThrow(/closed/);
    await expect(h.digest(1)).rejects.toThrow(/closed/);
  });
});
