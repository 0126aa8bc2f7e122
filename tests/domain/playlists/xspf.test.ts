import { describe, expect, it } from 'vitest';
import { parsePlaylist } from '../../../server/domain/playlists/index.js';

const source = { location: '/music/lists/mix.xspf' };
const malformed = (message: string) => ({ ok: false, error: { code: 'malformed', message } });
const xspf = (tracks: string, head = '') =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<playlist version="1" xmlns="http://xspf.org/ns/0/">\n${head}<trackList>\n${tracks}</trackList>\n</playlist>\n`;

describe('XSPF', () => {
  it('reads title, annotation and tracks; duration is in milliseconds; locations are URIs', () => {
    const text = xspf(
      [
        '<track><location>file:///srv/music/ABBA/Waterloo.flac</location><title>Waterloo</title><creator>ABBA</creator><album>Waterloo</album><duration>168400</duration><trackNum>1</trackNum></track>',
        '<track><location>Simon%20%26%20Garfunkel/Mrs.%20Robinson.mp3</location><location>http://mirror/m.mp3</location><title> Mrs. Robinson </title></track>',
        '<track><location>http://example.com/a%20b.ogg</location></track>',
      ].join('\n'),
      '<title>Summer &amp; Sun</title><annotation>for the road</annotation>',
    );
    expect(parsePlaylist(text, source)).toEqual({
      ok: true,
      playlist: {
        format: 'xspf',
        name: 'Summer & Sun',
        description: 'for the road',
        entries: [
          { position: 0, location: '/srv/music/ABBA/Waterloo.flac', title: 'Waterloo', artist: 'ABBA', album: 'Waterloo', durationSec: 168.4, trackNumber: 1, sizeBytes: null, sha256: null },
          { position: 1, location: '/music/lists/Simon & Garfunkel/Mrs. Robinson.mp3', title: 'Mrs. Robinson', artist: null, album: null, durationSec: null, trackNumber: null, sizeBytes: null, sha256: null },
          { position: 2, location: 'http://example.com/a%20b.ogg', title: null, artist: null, album: null, durationSec: null, trackNumber: null, sizeBytes: null, sha256: null },
        ],
      },
    });
  });

  it('reports broken XML with its line and column', () => {
    const text = '<?xml version="1.0"?>\n<playlist>\n  <title>Mix</titel>\n</playlist>';
    expect(parsePlaylist(text, source)).toMatchObject({ ok: false, error: { code: 'malformed', message: expect.stringMatching(/^line 3, column \d+: Expected closing tag 'title'/) } });
  });

  it('refuses a track without a location, naming the track (1-based, XPath style)', () => {
    const text = xspf('<track><location>a.mp3</location></track>\n<track><title>Lost</title><location> </location></track>\n');
    expect(parsePlaylist(text, source)).toEqual(malformed('trackList/track[2]: location missing'));
    expect(parsePlaylist(xspf('<track/>'), source)).toEqual(malformed('trackList/track[1]: location missing'));
  });

  it('refuses bad numbers and structure where text belongs', () => {
    expect(parsePlaylist(xspf('<track><location>a.mp3</location><duration>3:20</duration></track>'), source)).toEqual(malformed('trackList/track[1]/duration: expected a whole number, got "3:20"'));
    expect(parsePlaylist(xspf('<track><location>a.mp3</location><trackNum>0</trackNum></track>'), source)).toEqual(malformed('trackList/track[1]/trackNum: expected a whole number ≥ 1, got "0"'));
    expect(parsePlaylist(xspf('<track><location>a.mp3</location><title><b>x</b></title></track>'), source)).toEqual(malformed('trackList/track[1]/title: expected text'));
  });

  it('refuses another root element', () => {
    expect(parsePlaylist('<rss><channel/></rss>', source)).toEqual(malformed('expected a <playlist> root element, got <rss>'));
  });

  it('reads an empty trackList as an empty playlist', () => {
    expect(parsePlaylist(xspf(''), source)).toMatchObject({ ok: true, playlist: { entries: [] } });
    expect(parsePlaylist('<playlist version="1"><title>x</title></playlist>', source)).toMatchObject({ ok: true, playlist: { entries: [] } });
  });
});
