import { describe, expect, it } from 'vitest';
import { detectFormat, formatFromContent, formatFromExtension, parsePlaylist, PLAYLIST_EXTENSIONS } from '../../../server/domain/playlists/index.js';

const locations = (text: string, location: string) => {
  const result = parsePlaylist(text, { location });
  return result.ok ? result.playlist.entries.map((e) => e.location) : result.error;
};

describe('format detection', () => {
  it('lists the extensions a folder watcher picks up', () => {
    expect(PLAYLIST_EXTENSIONS).toEqual(['.m3u', '.m3u8', '.pls', '.xspf', '.json']);
  });

  it('reads the extension of a path or a URL path, in any case', () => {
    expect(formatFromExtension('/m/Road Trip.M3U8')).toBe('m3u8');
    expect(formatFromExtension('https://h/list.pls?token=a.json#x')).toBe('pls');
    expect(formatFromExtension('file:///m/mix.xspf')).toBe('xspf');
    expect(formatFromExtension('/m/list.txt')).toBeNull();
    expect(formatFromExtension('https://h/stream')).toBeNull();
  });

  it('recognises headers', () => {
    expect(formatFromContent('\uFEFF#EXTM3U\na.mp3')).toBe('m3u');
    expect(formatFromContent('\n[Playlist]\nFile1=a')).toBe('pls');
    expect(formatFromContent('<?xml version="1.0"?>\n<!-- made by hand -->\n<playlist version="1">')).toBe('xspf');
    expect(formatFromContent('  {"name": "x"}')).toBe('json');
    expect(formatFromContent('<rss>')).toBeNull();
    expect(formatFromContent('a.mp3')).toBeNull();
  });

  it('prefers the given format, then the extension, then the content', () => {
    expect(detectFormat('#EXTM3U', { location: '/m/x.json', format: 'pls' })).toBe('pls');
    expect(detectFormat('#EXTM3U', { location: '/m/x.json' })).toBe('json');
    expect(detectFormat('#EXTM3U', { location: 'https://h/list?id=3' })).toBe('m3u');
  });

  it('parses by content when the location names no format', () => {
    expect(parsePlaylist('[playlist]\nFile1=a.mp3', { location: 'https://h/radio/listen' })).toMatchObject({ ok: true, playlist: { format: 'pls' } });
  });

  it('refuses what it cannot recognise, and blank files', () => {
    expect(parsePlaylist('just some text', { location: '/m/notes.txt' })).toMatchObject({ ok: false, error: { code: 'unsupported_format' } });
    expect(parsePlaylist('\uFEFF \r\n\r\n', { location: '/m/a.m3u' })).toEqual({ ok: false, error: { code: 'empty', message: 'the file is empty' } });
  });
});

describe('text', () => {
  it('skips a UTF-8 BOM and accepts CRLF and CR line endings', () => {
    const crlf = '\uFEFF#EXTM3U\r\n#EXTINF:10,Björk - Jóga\r\njoga.mp3\r\n';
    expect(parsePlaylist(crlf, { location: '/m/a.m3u8' })).toMatchObject({ ok: true, playlist: { entries: [{ location: '/m/joga.mp3', artist: 'Björk', title: 'Jóga' }] } });
    expect(locations('\uFEFF[playlist]\rFile1=a.mp3\rNumberOfEntries=1\r', '/m/a.pls')).toEqual(['/m/a.mp3']);
    expect(locations('\uFEFF{"name":"x","tracks":[{"title":"t","location":"a.mp3"}]}', '/m/a.json')).toEqual(['/m/a.mp3']);
    expect(locations('\uFEFF<playlist><trackList><track><location>a.mp3</location></track></trackList></playlist>', '/m/a.xspf')).toEqual(['/m/a.mp3']);
  });
});

describe('locations', () => {
  it('resolve a relative path against the folder of a file source', () => {
    expect(locations('a.mp3\n./sub/b.mp3\n../other/c.mp3\n/abs/d.mp3', '/m/lists/x.m3u')).toEqual(['/m/lists/a.mp3', '/m/lists/sub/b.mp3', '/m/other/c.mp3', '/abs/d.mp3']);
    expect(locations('a b.mp3', 'file:///m/my%20lists/x.m3u')).toEqual(['/m/my lists/a b.mp3']);
  });

  it('resolve a relative path against the URL of an http(s) source', () => {
    expect(locations('a.mp3\n../b.mp3\n/root/c.mp3\nd e.mp3', 'https://h.example/lists/x.m3u?token=1')).toEqual([
      'https://h.example/lists/a.mp3',
      'https://h.example/b.mp3',
      'https://h.example/root/c.mp3',
      'https://h.example/lists/d%20e.mp3',
    ]);
  });

  it('keep M3U/PLS/JSON names literal but decode XSPF URIs', () => {
    expect(locations('100%20.mp3', '/m/x.m3u')).toEqual(['/m/100%20.mp3']);
    expect(locations('<playlist><trackList><track><location>100%25.mp3</location></track></trackList></playlist>', '/m/x.xspf')).toEqual(['/m/100%.mp3']);
  });

  it('turn the backslashes of a Windows-made relative path into slashes, and keep Windows absolute paths', () => {
    expect(locations('Music\\ABBA\\Waterloo.mp3\nC:\\Music\\a.mp3\n\\\\nas\\music\\b.mp3', '/m/x.m3u')).toEqual(['/m/Music/ABBA/Waterloo.mp3', 'C:\\Music\\a.mp3', '\\\\nas\\music\\b.mp3']);
  });

  it('turn file: URLs into paths and keep other URLs', () => {
    expect(locations('file:///srv/a%20b.mp3\nspotify:track:6rqhFgbbKwnb9MLmUQDhG6', '/m/x.m3u')).toEqual(['/srv/a b.mp3', 'spotify:track:6rqhFgbbKwnb9MLmUQDhG6']);
  });

  it('need an absolute source location (a relative one would depend on the working directory)', () => {
    expect(() => parsePlaylist('a.mp3', { location: 'lists/x.m3u' })).toThrow(TypeError);
  });
});
