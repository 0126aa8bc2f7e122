import { describe, expect, it } from 'vitest';
import { songDiff } from '../../../server/domain/playlists/song-diff.js';

describe('songDiff', () => {
  it('counts added, removed and unchanged songs by location', () => {
    expect(songDiff(['a', 'b', 'c'], ['c', 'a', 'd'])).toEqual({ added: 1, removed: 1, unchanged: 2 });
    expect(songDiff([], ['a', 'b'])).toEqual({ added: 2, removed: 0, unchanged: 0 });
    expect(songDiff(['a', 'b'], [])).toEqual({ added: 0, removed: 2, unchanged: 0 });
  });

  it('counts a song listed twice twice', () => {
    expect(songDiff(['a'], ['a', 'a'])).toEqual({ added: 1, removed: 0, unchanged: 1 });
    expect(songDiff(['a', 'a', 'b'], ['a'])).toEqual({ added: 0, removed: 2, unchanged: 1 });
  });
});
