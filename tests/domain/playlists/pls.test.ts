import { describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../../server/domain/playlists/index.js';

const source = { location: 'https://radio.example/lists/jazz.pls?token=abc' };
const malformed = (message: string) => ({ ok: false, error: { code: 'malformed', message } });
const pls = (...lines: string[]) => ['[playlist]', ...lines].join('\n');

describe('PLS', () => {
  it('reads numbered entries in number order, whatever the key order and case', () => {
    const text = pls('NumberOfEntries=2', 'File2=http://stream.example/b', 'title2=Miles Davis - So What', 'Length2=-1', 'File1=songs/a.mp3', 'Title1=Intro', 'LENGTH1=61', 'Version=2');
    expect(parsePlaylist(text, source)).toEqual({
      ok: true,
      playlist: {
        format: 'pls',
        name: null,
        description: null,
        entries: [
          { position: 0, location: 'https://radio.example/lists/songs/a.mp3', title: 'Intro', artist: null, album: null, durationSec: 61, trackNumber: null, sizeBytes: null, sha256: null },
          { position: 1, location: 'http://stream.example/b', title: 'So What', artist: 'Miles Davis', album: null, durationSec: null, trackNumber: null, sizeBytes: null, sha256: null },
        ],
      },
    });
  });

  it('skips comments and unknown keys', () => {
    expect(parsePlaylist(pls('; a comment', 'X-GNOME-Title=Jazz', 'File1=a.mp3'), source)).toMatchObject({ ok: true, playlist: { entries: [{ location: 'https://radio.example/lists/a.mp3' }] } });
  });

  it('refuses wrong key numbering', () => {
    expect(parsePlaylist(pls('File1=a.mp3', 'File3=c.mp3'), source)).toEqual(malformed('line 3: entry 3 skips entry 2 (PLS entries are numbered 1, 2, 3 … without gaps)'));
    expect(parsePlaylist(pls('File0=a.mp3'), source)).toEqual(malformed('line 2: File0: entries are numbered from 1, without leading zeros'));
    expect(parsePlaylist(pls('File01=a.mp3'), source)).toEqual(malformed('line 2: File01: entries are numbered from 1, without leading zeros'));
    expect(parsePlaylist(pls('File1=a.mp3', 'Title2=B', 'Length2=3'), source)).toEqual(malformed('line 3: entry 2 has no File2'));
    expect(parsePlaylist(pls('File1=a.mp3', 'file1=b.mp3'), source)).toEqual(malformed('line 3: file1 given twice (first on line 2)'));
  });

  it('checks NumberOfEntries against the entries', () => {
    expect(parsePlaylist(pls('NumberOfEntries=3', 'File1=a.mp3', 'File2=b.mp3'), source)).toEqual(malformed('line 2: NumberOfEntries is 3 but the file lists 2'));
    expect(parsePlaylist(pls('NumberOfEntries=two', 'File1=a.mp3'), source)).toEqual(malformed('line 2: NumberOfEntries must be a whole number, got "two"'));
  });

  it('refuses a missing header, stray lines, a bad length and an empty File', () => {
    expect(parsePlaylist('File1=a.mp3', source)).toEqual(malformed('line 1: expected "[playlist]", got "File1=a.mp3"'));
    expect(parsePlaylist(pls('File1=a.mp3', 'oops'), source)).toEqual(malformed('line 3: expected key=value, got "oops"'));
    expect(parsePlaylist(pls('File1=a.mp3', '[other]'), source)).toEqual(malformed('line 3: unexpected section [other] (a PLS file has only [playlist])'));
    expect(parsePlaylist(pls('File1=a.mp3', 'Length1=3:20'), source)).toEqual(malformed('line 3: Length1 must be seconds, got "3:20"'));
    expect(parsePlaylist(pls('File1='), source)).toEqual(malformed('line 2: location is empty'));
  });

  it('reads NumberOfEntries=0 as an empty playlist', () => {
    expect(parsePlaylist(pls('NumberOfEntries=0', 'Version=2'), source)).toMatchObject({ ok: true, playlist: { entries: [] } });
  });
});
