import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseFile } from 'music-metadata';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWav } from '../helpers/audio.js';

/** The WAV builder's own check: music-metadata reads what it wrote. */
describe('tests/helpers/audio buildWav', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-wav-'));
  });
  afterAll(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('writes a PCM WAV whose RIFF INFO tags and duration music-metadata reads back', async () => {
    const file = path.join(dir, 'a.wav');
    await fs.writeFile(file, buildWav({ artist: 'Björk & Friends', title: 'Joga (Live)', seconds: 2 }));
    const { common, format } = await parseFile(file, { duration: true });
    expect(format.container).toBe('WAVE');
    expect(format.sampleRate).toBe(8000);
    expect(format.numberOfChannels).toBe(1);
    expect(format.duration).toBeCloseTo(2, 3);
    expect(common.artist).toBe('Björk & Friends');
    expect(common.title).toBe('Joga (Live)');
  });

  it('gives different bytes for different seeds but the same tags and duration', async () => {
    const a = buildWav({ artist: 'X', title: 'Y', seed: 1 });
    const b = buildWav({ artist: 'X', title: 'Y', seed: 2 });
    expect(a.length).toBe(b.length);
    expect(a.equals(b)).toBe(false);
    const fa = path.join(dir, 'odd.wav');
    // An odd-length tag exercises the pad byte.
    await fs.writeFile(fa, buildWav({ artist: 'ABC', title: 'Four' }));
    const { common, format } = await parseFile(fa, { duration: true });
    expect(common.artist).toBe('ABC');
    expect(common.title).toBe('Four');
    expect(format.duration).toBeCloseTo(1, 3);
  });
});
