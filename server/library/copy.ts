import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Copies a file to `dest` through `dest`.copying (renamed once complete, removed on failure),
 * hashing the bytes on the way and reporting the bytes copied so far. Returns the copy's size and
 * SHA-256; `accept` may refuse them (the copy is removed and its error thrown).
 */
export async function copyVerified(
  source: string,
  dest: string,
  opts: { signal?: AbortSignal; onBytes?: (bytes: number) => void; accept?: (copy: { bytes: number; sha256: string }) => Error | null } = {},
): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  const count = new Transform({
    transform(chunk: Buffer, _enc, done) {
      bytes += chunk.length;
      hash.update(chunk);
      opts.onBytes?.(bytes);
      done(null, chunk);
    },
  });
  const tmp = `${dest}.copying`;
  try {
    await pipeline(createReadStream(source, { highWaterMark: 1 << 20 }), count, createWriteStream(tmp), opts.signal ? { signal: opts.signal } : {});
    const copy = { bytes, sha256: hash.digest('hex') };
    const refused = opts.accept?.(copy) ?? null;
    if (refused) throw refused;
    await fs.rename(tmp, dest);
    return copy;
  } catch (err) {
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
