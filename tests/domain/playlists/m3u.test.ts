import { describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../../server/domain/playlists/index.js';

const source = { location: '/music/lists/road.m3u' };
const malformed = (message: string) => ({ ok: false, error: { code: 'malformed', message } });

describe('M3U / M3U8', () => {
  it('reads #EXTINF duration and "Artist - Title", #PLAYLIST as the name, in file order', () => {
    const text = ['#EXTM3U', '#PLAYLIST:Road trip', '#EXTINF:168,ABBA - Waterloo', 'abba/waterloo.mp3', '#EXTINF:-1,Intro', 'intro.flac', 'http://radio.example/live.mp3'].join('\n');
    expect(parsePlaylist(text, source)).toEqual({
      ok: true,
      playlist: {
        format: 'm3u',
        name: 'Road trip',
        description: null,
        entries: [
          { position: 0, location: '/music/lists/abba/waterloo.mp3', title: 'Waterloo', artist: 'ABBA', album: null, durationSec: 168, trackNumber: null, sizeBytes: null, sha256: null },
          { position: 1, location: '/music/lists/intro.flac', title: 'Intro', artist: null, album: null, durationSec: null, trackNumber: null, sizeBytes: null, sha256: null },
          { position: 2, location: 'http://radio.example/live.mp3', title: null, artist: null, album: null, durationSec: null, trackNumber: null, sizeBytes: null, sha256: null },
        ],
      },
    });
  });

  it('splits the title on the first " - " only', () => {
    const result = parsePlaylist('#EXTINF:300,AC/DC - Back in Black - Live\na.mp3', source);
    expect(result).toMatchObject({ ok: true, playlist: { entries: [{ artist: 'AC/DC', title: 'Back in Black - Live' }] } });
  });

  it('takes #EXTART and #EXTALB for the next entry, keeping the #EXTINF title whole then', () => {
    const text = '#EXTM3U\n#EXTART:Simon & Garfunkel\n#EXTALB:Bookends\n#EXTINF:164.5,Mrs. Robinson - Remastered\nmrs.mp3\nnext.mp3';
    expect(parsePlaylist(text, source)).toMatchObject({
      ok: true,
      playlist: {
        name: null,
        entries: [
          { artist: 'Simon & Garfunkel', album: 'Bookends', title: 'Mrs. Robinson - Remastered', durationSec: 164.5 },
          { artist: null, album: null, title: null },
        ],
      },
    });
  });

  it('accepts IPTV attributes before the comma', () => {
    const result = parsePlaylist('#EXTINF:-1 tvg-id="x" group-title="Jazz",Miles Davis - So What\nhttp://h/s.mp3', source);
    expect(result).toMatchObject({ ok: true, playlist: { entries: [{ artist: 'Miles Davis', title: 'So What', durationSec: null }] } });
  });

  it('reads a plain list of paths with no header; skips blank lines and unknown comments', () => {
    const result = parsePlaylist('\n# made by hand\na.mp3\n\n#EXTGENRE:Rock\n  b.mp3  \n', { location: '/m/list.m3u8' });
    expect(result).toMatchObject({ ok: true, playlist: { format: 'm3u8', entries: [{ position: 0, location: '/m/a.mp3' }, { position: 1, location: '/m/b.mp3' }] } });
  });

  it('refuses #EXTINF without a following location, naming its line', () => {
    expect(parsePlaylist('#EXTM3U\n#EXTINF:1,A - B\n#EXTINF:2,C - D\nd.mp3', source)).toEqual(malformed('line 2: #EXTINF has no location after it'));
    expect(parsePlaylist('#EXTM3U\na.mp3\n\n#EXTINF:2,C - D\n', source)).toEqual(malformed('line 4: #EXTINF has no location after it'));
    expect(parsePlaylist('a.mp3\n#EXTALB:Bookends', source)).toEqual(malformed('line 2: #EXTALB has no location after it'));
  });

  it('refuses an #EXTINF that is not "seconds,title"', () => {
    expect(parsePlaylist('#EXTM3U\n\n#EXTINF:abc,Title\na.mp3', source)).toEqual(malformed('line 3: #EXTINF must read "#EXTINF:seconds,title", got "#EXTINF:abc,Title"'));
    expect(parsePlaylist('#EXTINF:12\na.mp3', source)).toMatchObject({ ok: false, error: { message: expect.stringMatching(/^line 1: /) } });
  });

  it('refuses an HLS stream playlist', () => {
    const result = parsePlaylist('#EXTM3U\n#EXT-X-TARGETDURATION:10\n#EXTINF:9.9,\nseg1.ts', source);
    expect(result).toMatchObject({ ok: false, error: { code: 'unsupported_format', message: expect.stringMatching(/^line 2: #EXT-X-TARGETDURATION/) } });
  });

  it('reads a playlist without locations as an empty playlist', () => {
    expect(parsePlaylist('#EXTM3U\n#PLAYLIST:Nothing yet\n', source)).toMatchObject({ ok: true, playlist: { name: 'Nothing yet', entries: [] } });
  });
});
