import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { infoListChunk, type InfoTags } from '../domain/library/wav.js';

interface Chunk {
  readonly id: string;
  /** Offset of the chunk header in the file. */
  readonly offset: number;
  /** Header, body and pad byte. */
  readonly length: number;
  /** For LIST chunks: the list type (INFO, adtl …). */
  readonly listType: string | null;
}

/** The top-level chunks of a RIFF/WAVE file (reads headers only); null when it is not one. */
async function chunksOf(file: string): Promise<{ chunks: Chunk[]; size: number } | null> {
  const fh = await fs.open(file, 'r');
  try {
    const { size } = await fh.stat();
    const head = Buffer.alloc(12);
    if ((await fh.read(head, 0, 12, 0)).bytesRead < 12 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return null;
    const chunks: Chunk[] = [];
    const h = Buffer.alloc(12);
    for (let offset = 12; offset + 8 <= size; ) {
      const { bytesRead } = await fh.read(h, 0, 12, offset);
      if (bytesRead < 8) break;
      const id = h.toString('ascii', 0, 4);
      const body = h.readUInt32LE(4);
      const length = Math.min(8 + body + (body % 2), size - offset);
      chunks.push({ id, offset, length, listType: id === 'LIST' && bytesRead >= 12 ? h.toString('ascii', 8, 12) : null });
      offset += length;
    }
    return { chunks, size };
  } finally {
    await fh.close();
  }
}

/**
 * Writes the tags into a WAVE file's LIST/INFO chunk (replacing any INFO list it had), through a
 * temporary copy renamed over the file: a crash leaves the old file or the new one, never half
 * of each. Returns false (and changes nothing) when the file is not RIFF/WAVE.
 */
export async function writeWavInfo(file: string, tags: InfoTags): Promise<boolean> {
  const parsed = await chunksOf(file);
  if (!parsed) return false;
  const keep = parsed.chunks.filter((c) => !(c.id === 'LIST' && c.listType === 'INFO'));
  const info = infoListChunk(tags) ?? Buffer.alloc(0);
  const riffSize = 4 + keep.reduce((n, c) => n + c.length, 0) + info.length;
  const header = Buffer.alloc(12);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(riffSize, 4);
  header.write('WAVE', 8, 'ascii');
  const tmp = `${file}.tagging`;
  const out = createWriteStream(tmp);
  try {
    await new Promise<void>((resolve, reject) => out.write(header, (err) => (err ? reject(err) : resolve())));
    for (const c of keep) await pipeline(createReadStream(file, { start: c.offset, end: c.offset + c.length - 1 }), out, { end: false });
    await new Promise<void>((resolve, reject) => out.end(info, () => resolve()).once('error', reject));
    await fs.rename(tmp, file);
    return true;
  } catch (err) {
    out.destroy();
    await fs.rm(tmp, { force: true });
    throw err;
  }
}
