import { describe, expect, it } from 'vitest';
import { albumKey, albumsMissing, artistMatches, nameKey } from '../../../server/domain/automation/albums.js';

const group = (title: string, id = title) => ({ id, title, primaryType: 'Album', secondaryTypes: [], firstReleaseDate: '2020' });

describe('automation names', () => {
  it('compares names without case, accents and punctuation', () => {
    expect(nameKey('  Beyoncé & The Band! ')).toBe('beyonce and the band');
    expect(nameKey('AC/DC')).toBe(nameKey('ac dc'));
    expect(albumKey('Blue (Deluxe Edition) [2011 Remaster]')).toBe('blue');
    expect(albumKey('Blue - 2011 Remaster')).toBe('blue');
    expect(albumKey('(What’s the Story)')).toBe(nameKey('(What’s the Story)')); // all in brackets: kept
  });

  it('an artist tag names the artist alone or among several', () => {
    expect(artistMatches('Nina Simone', 'nina simone')).toBe(true);
    expect(artistMatches('Nina Simone, Ella Fitzgerald', 'Ella Fitzgerald')).toBe(true);
    expect(artistMatches('Nina Simone feat. Ella', 'Ella')).toBe(true);
    expect(artistMatches('Simon & Garfunkel', 'Simon & Garfunkel')).toBe(true);
    expect(artistMatches('Ninas', 'Nina')).toBe(false);
    expect(artistMatches(null, 'Nina')).toBe(false);
  });

  it('albums missing: those without a filed song of the artist carrying the title (edition notes aside), each once', () => {
    const library = [
      { artist: 'Nina', album: 'Blue (Remastered)' },
      { artist: 'Someone Else', album: 'Red' },
      { artist: 'Nina, Guest', album: 'Green' },
    ];
    const missing = albumsMissing([group('Blue'), group('Red'), group('Green'), group('Gold', 'g1'), group('Gold (Deluxe)', 'g2')], 'Nina', library);
    expect(missing.map((g) => g.id)).toEqual(['Red', 'g1']);
  });
});
