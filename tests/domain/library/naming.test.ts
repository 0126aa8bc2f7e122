import { describe, expect, it } from 'vitest';
import { libraryPath, safeSegment } from '../../../server/domain/library/naming.js';

describe('library paths', () => {
  it('files a track as Artist/Album/NN Title.ext', () => {
    expect(libraryPath({ artist: 'Nina Simone', album: 'Pastel Blues', title: 'Sinnerman', trackNumber: 9 }, '.FLAC')).toBe('Nina Simone/Pastel Blues/09 Sinnerman.flac');
    expect(libraryPath({ artist: 'A', album: 'B', title: 'C', trackNumber: 112 }, 'mp3')).toBe('A/B/112 C.mp3');
  });

  it('fills missing tags with placeholders and leaves out an unknown track number', () => {
    expect(libraryPath({ artist: null, album: '  ', title: null, trackNumber: null }, 'wav')).toBe('Unknown Artist/Unknown Album/Untitled.wav');
    expect(libraryPath({ artist: 'A', album: 'B', title: 'C', trackNumber: 0 }, 'wav')).toBe('A/B/C.wav');
  });

  it('never lets a tag leave its folder or name a hidden or reserved file', () => {
    expect(libraryPath({ artist: '../..', album: 'AC/DC: Live?', title: 'a\\b*c"d<e>f|g\u0007', trackNumber: 1 }, 'mp3')).toBe('_/AC_DC_ Live_/01 a_b_c_d_e_f_g_.mp3');
    expect(safeSegment('.hidden. ', 'x')).toBe('hidden');
    expect(safeSegment('CON', 'x')).toBe('CON_');
    expect(safeSegment('tabs\tand\n  newlines', 'x')).toBe('tabs_and_ newlines');
  });

  it('cuts long names by characters, not bytes (no broken UTF-8)', () => {
    const long = 'ü'.repeat(200);
    const seg = safeSegment(long, 'x');
    expect([...seg]).toHaveLength(60);
    expect(seg).toBe('ü'.repeat(60));
  });
});
