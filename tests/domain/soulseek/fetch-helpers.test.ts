import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { locateDownload, searchTextOf } from '../../../server/downloads/soulseek.js';

describe('Soulseek fetch helpers', () => {
  it('searches by the first artist and the title words, without brackets or punctuation', () => {
    expect(searchTextOf({ title: 'Blue Moon (feat. Ella) [Remastered]', artist: 'Nina Simone, Ella' })).toBe('nina simone blue moon');
    expect(searchTextOf({ title: "Don't Stop - Live", artist: null })).toBe('don t stop live');
    expect(searchTextOf({ title: 'Beyoncé & Co.', artist: 'AC/DC' })).toBe('ac dc beyonce and co');
  });

  it("finds slskd's file: <downloads>/<peer folder>/<name>, else <downloads>/<name>, else any file of that name and size", async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-locate-'));
    try {
      const put = async (rel: string, bytes: number): Promise<string> => {
        const f = path.join(dir, rel);
        await fs.mkdir(path.dirname(f), { recursive: true });
        await fs.writeFile(f, Buffer.alloc(bytes));
        return f;
      };
      const inFolder = await put('Night Songs/01 - Blue.wav', 10);
      expect(await locateDownload(dir, '@@music\\Nina\\Night Songs\\01 - Blue.wav', 10)).toBe(inFolder);
      const top = await put('02 - Red.wav', 7);
      expect(await locateDownload(dir, '@@music\\Nina\\Other\\02 - Red.wav', 7)).toBe(top);
      const deep = await put('a/b/03 - Green.wav', 5);
      expect(await locateDownload(dir, 'x\\y\\03 - Green.wav', 5)).toBe(deep);
      expect(await locateDownload(dir, 'x\\y\\03 - Green.wav', 6)).toBeNull(); // same name, other size: not it
      expect(await locateDownload(dir, 'x\\Night Songs\\missing.wav', 10)).toBeNull();
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
