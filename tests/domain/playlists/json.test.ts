import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parsePlaylist, type RoadiePlaylistJson } from '../../../server/domain/playlists/index.js';

const source = { location: '/music/lists/road.json' };
const malformed = (message: string) => ({ ok: false, error: { code: 'malformed', message } });
const json = (playlist: unknown) => JSON.stringify(playlist, null, 2);
const track = { title: 'Waterloo', location: 'abba/waterloo.flac' };

describe('Roadie JSON', () => {
  it('reads every field, size and hash included', () => {
    const playlist: RoadiePlaylistJson = {
      name: 'Road trip',
      description: 'for the car',
      tracks: [
        { title: 'Waterloo', artist: 'ABBA', album: 'Waterloo', durationSec: 168.4, trackNumber: 1, location: 'abba/waterloo.flac', sizeBytes: 21_000_000, sha256: 'AB'.repeat(32) },
        { title: 'Live', location: 'https://cdn.example/live.mp3', artist: null },
      ],
    };
    expect(parsePlaylist(json(playlist), source)).toEqual({
      ok: true,
      playlist: {
        format: 'json',
        name: 'Road trip',
        description: 'for the car',
        entries: [
          { position: 0, location: '/music/lists/abba/waterloo.flac', title: 'Waterloo', artist: 'ABBA', album: 'Waterloo', durationSec: 168.4, trackNumber: 1, sizeBytes: 21_000_000, sha256: 'ab'.repeat(32) },
          { position: 1, location: 'https://cdn.example/live.mp3', title: 'Live', artist: null, album: null, durationSec: null, trackNumber: null, sizeBytes: null, sha256: null },
        ],
      },
    });
  });

  it('names the JSON path of a wrong element', () => {
    const tracks = [track, track, track, { title: 'Bad', location: 42 }];
    expect(parsePlaylist(json({ name: 'x', tracks }), source)).toEqual(malformed('tracks[3].location: Invalid input: expected string, received number'));
    expect(parsePlaylist(json({ name: 'x', tracks: [{ ...track, durationSec: '3:20' }] }), source)).toEqual(malformed('tracks[0].durationSec: Invalid input: expected number, received string'));
    expect(parsePlaylist(json({ name: 'x', tracks: [{ ...track, trackNumber: 1.5 }] }), source)).toEqual(malformed('tracks[0].trackNumber: Invalid input: expected int, received number'));
    expect(parsePlaylist(json({ name: 'x', tracks: [{ ...track, sha256: 'abc' }] }), source)).toEqual(malformed('tracks[0].sha256: must be 64 hexadecimal digits'));
    expect(parsePlaylist(json({ name: ' ', tracks: [track] }), source)).toEqual(malformed('name: must not be empty'));
    expect(parsePlaylist(json({ name: 'x', tracks: {} }), source)).toEqual(malformed('tracks: Invalid input: expected array, received object'));
    expect(parsePlaylist('[]', source)).toEqual(malformed('(root): Invalid input: expected object, received array'));
  });

  it('reports a misspelt key instead of dropping it', () => {
    expect(parsePlaylist(json({ name: 'x', tracks: [{ ...track, durationSecs: 3 }] }), source)).toEqual(malformed('tracks[0]: Unrecognized key: "durationSecs"'));
  });

  it('reports a syntax error, with its line and column when JSON.parse gives a position', () => {
    expect(parsePlaylist('{\n  "name": "x"\n  "tracks": []}', source)).toEqual(malformed('line 3, column 3: invalid JSON: Expected \',\' or \'}\' after property value'));
    const result = parsePlaylist('{\n  "name": "x",\n  "tracks": [}', source);
    expect(result).toMatchObject({ ok: false, error: { code: 'malformed', message: expect.stringMatching(/^(line 3, column 14: )?invalid JSON: /) } });
  });

  it('reads the example in docs/playlist-json.md', () => {
    const doc = readFileSync(new URL('../../../docs/playlist-json.md', import.meta.url), 'utf8');
    const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? '';
    expect(parsePlaylist(example, source)).toMatchObject({ ok: true, playlist: { name: 'Road trip', entries: [{ location: '/music/lists/ABBA/Waterloo/01 Waterloo.flac', sizeBytes: 21034112 }, { artist: 'Miles Davis' }] } });
  });

  it('reads a playlist without tracks as an empty playlist', () => {
    expect(parsePlaylist(json({ name: 'x', tracks: [] }), source)).toMatchObject({ ok: true, playlist: { name: 'x', entries: [] } });
  });
});
