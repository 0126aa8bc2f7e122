/**
 * Builds small valid PCM WAV files with RIFF LIST/INFO tags (IART artist, INAM title), which
 * music-metadata reads as common.artist and common.title.
 */
export interface WavOptions {
  artist?: string;
  title?: string;
  /** Length in seconds (whole sample frames). Default 1. */
  seconds?: number;
  /** Default 8000 (8-bit mono: 8000 bytes a second). */
  sampleRate?: number;
  /** Seeds the sample bytes so equal tags can come with different audio. Default 0 (silence). */
  seed?: number;
}

function chunk(id: string, body: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.write(id, 0, 4, 'ascii');
  header.writeUInt32LE(body.length, 4);
  // RIFF chunks are word aligned: odd bodies get a pad byte not counted in the size.
  return Buffer.concat([header, body, body.length % 2 === 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
}

/** INFO strings are zero-terminated and, as music-metadata reads them, Latin-1. */
function infoText(value: string): Buffer {
  return Buffer.concat([Buffer.from(value, 'latin1'), Buffer.alloc(1)]);
}

export function buildWav(opts: WavOptions = {}): Buffer {
  const sampleRate = opts.sampleRate ?? 8000;
  const seconds = opts.seconds ?? 1;
  const channels = 1;
  const bitsPerSample = 8;
  const blockAlign = (channels * bitsPerSample) / 8;
  const byteRate = sampleRate * blockAlign;

  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(channels, 2);
  fmt.writeUInt32LE(sampleRate, 4);
  fmt.writeUInt32LE(byteRate, 8);
  fmt.writeUInt16LE(blockAlign, 12);
  fmt.writeUInt16LE(bitsPerSample, 14);

  const samples = Buffer.alloc(Math.round(sampleRate * seconds), 128); // 8-bit PCM silence is 128
  const seed = opts.seed ?? 0;
  if (seed !== 0) {
    let x = seed >>> 0 || 1;
    for (let i = 0; i < samples.length; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      samples[i] = 128 + (((x >>> 0) % 21) - 10); // quiet noise
    }
  }

  const info: Buffer[] = [Buffer.from('INFO', 'ascii')];
  if (opts.artist !== undefined) info.push(chunk('IART', infoText(opts.artist)));
  if (opts.title !== undefined) info.push(chunk('INAM', infoText(opts.title)));
  const list = info.length > 1 ? chunk('LIST', Buffer.concat(info)) : Buffer.alloc(0);

  const body = Buffer.concat([Buffer.from('WAVE', 'ascii'), chunk('fmt ', fmt), list, chunk('data', samples)]);
  return chunk('RIFF', body);
}
