/**
 * WAVE files with RIFF LIST/INFO tags: built from scratch (the demo's generated songs, tests)
 * and the INFO list that tags an existing one. Pure: buffers in, buffers out.
 */

/** The tags a RIFF INFO list carries here, as music-metadata reads them back. */
export interface InfoTags {
  readonly artist?: string | null;
  readonly title?: string | null;
  readonly album?: string | null;
  readonly trackNumber?: number | null;
}

/** INFO ids by tag (music-metadata: IART artist, INAM title, IPRD album, ITRK track). */
const INFO_IDS = { artist: 'IART', title: 'INAM', album: 'IPRD', trackNumber: 'ITRK' } as const;

export interface WavOptions extends InfoTags {
  /** Length in seconds (whole sample frames). Default 1. */
  seconds?: number;
  /** Default 8000 (8-bit mono: 8000 bytes a second). */
  sampleRate?: number;
  /** A sine tone of this frequency (quiet); silence when neither it nor a seed is given. */
  toneHz?: number;
  /** Seeds quiet noise so equal tags can come with different audio. */
  seed?: number;
}

/** One RIFF chunk: id, little-endian size, body, and the pad byte of an odd body (not counted in the size). */
export function riffChunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 4, 'ascii');
  header.writeUInt32LE(body.length, 4);
  return Buffer.concat([header, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** INFO strings are zero-terminated and, as music-metadata reads them, Latin-1. */
function infoText(value: string): Buffer {
  return Buffer.concat([Buffer.from(value, 'latin1'), Buffer.alloc(1)]);
}

/** A LIST/INFO chunk with the given tags; null when there is none to write. */
export function infoListChunk(tags: InfoTags): Buffer | null {
  const parts: Buffer[] = [];
  for (const key of Object.keys(INFO_IDS) as (keyof InfoTags)[]) {
    const v = tags[key];
    if (v === undefined || v === null || v === '') continue;
    parts.push(riffChunk(INFO_IDS[key], infoText(String(v))));
  }
  return parts.length === 0 ? null : riffChunk('LIST', Buffer.concat([Buffer.from('INFO', 'ascii'), ...parts]));
}

export function buildWav(opts: WavOptions = {}): Buffer {
  const sampleRate = opts.sampleRate ?? 8000;
  const seconds = opts.seconds ?? 1;
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2); // mono
  fmt.writeUInt32LE(sampleRate, 4);
  fmt.writeUInt32LE(sampleRate, 8); // bytes a second: 8-bit mono
  fmt.writeUInt16LE(1, 12); // block align
  fmt.writeUInt16LE(8, 14); // bits per sample

  const samples = Buffer.alloc(Math.round(sampleRate * seconds), 128); // 8-bit PCM silence is 128
  if (opts.toneHz) {
    for (let i = 0; i < samples.length; i++) samples[i] = 128 + Math.round(40 * Math.sin((2 * Math.PI * opts.toneHz * i) / sampleRate));
  } else if (opts.seed) {
    let x = opts.seed >>> 0 || 1;
    for (let i = 0; i < samples.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      samples[i] = 128 + (((x >>> 0) % 21) - 10); // quiet noise
    }
  }
  const list = infoListChunk(opts) ?? Buffer.alloc(0);
  return riffChunk('RIFF', Buffer.concat([Buffer.from('WAVE', 'ascii'), riffChunk('fmt ', fmt), list, riffChunk('data', samples)]));
}
