import { describe, expect, it } from 'vitest';
import { containerOfExtension, isUpgrade, needsUpgrade, sameLength } from '../../../server/domain/library/quality.js';

const mp3 = (kbps: number | null) => ({ container: 'MPEG', bitrateKbps: kbps });
const flac = { container: 'FLAC', bitrateKbps: 900 };

describe('library quality rules', () => {
  it('lossy files below the minimum need an upgrade; lossless never', () => {
    expect(needsUpgrade(mp3(128), 256)).toBe(true);
    expect(needsUpgrade(mp3(256), 256)).toBe(false);
    expect(needsUpgrade(mp3(null), 256)).toBe(true);
    expect(needsUpgrade({ container: 'Ogg', bitrateKbps: 160 }, 256)).toBe(true);
    expect(needsUpgrade(flac, 256)).toBe(false);
    expect(needsUpgrade({ container: 'WAVE', bitrateKbps: 64 }, 256)).toBe(false);
    expect(needsUpgrade({ container: null, bitrateKbps: 64 }, 256)).toBe(false);
  });

  it('an upgrade is lossless, or lossy at the minimum and 32 kbps above the current', () => {
    expect(isUpgrade(mp3(128), flac, 256)).toBe(true);
    expect(isUpgrade(mp3(128), mp3(320), 256)).toBe(true);
    expect(isUpgrade(mp3(128), mp3(192), 256)).toBe(false); // below the minimum
    expect(isUpgrade(mp3(240), mp3(256), 256)).toBe(false); // a gain of 16 kbps
    expect(isUpgrade(mp3(128), mp3(null), 256)).toBe(false);
    expect(isUpgrade(flac, { container: 'WAVE', bitrateKbps: 1411 }, 256)).toBe(false);
  });

  it('the same recording: lengths within 3 s or 2 %', () => {
    expect(sameLength(200, 202.9)).toBe(true);
    expect(sameLength(200, 205)).toBe(false);
    expect(sameLength(100, 103.5)).toBe(false); // 3 s is the floor for short tracks
    expect(sameLength(600, 611)).toBe(true);
    expect(sameLength(null, 200)).toBe(false);
    expect(containerOfExtension('.FLAC')).toBe('FLAC');
    expect(containerOfExtension('mp3')).toBe('MPEG');
    expect(containerOfExtension('xyz')).toBeNull();
  });
});
