import { describe, expect, it } from 'vitest';
import { findDuplicates, metadataHash, normalizeTag } from '../../server/domain/library/duplicates.js';
import { isExpired } from '../../server/domain/retention.js';

describe('duplicate rules', () => {
  it('normalises tags', () => {
    expect(normalizeTag('  Beyoncé ')).toBe('beyonce');
    expect(normalizeTag('Song (feat. Someone)')).toBe('song');
    expect(normalizeTag('Simon & Garfunkel')).toBe('simon and garfunkel');
    expect(normalizeTag("Don't Stop!")).toBe('don t stop');
  });

  it('hashes the same recording alike and different ones apart', () => {
    expect(metadataHash('ABBA', 'Waterloo', 168.4)).toBe(metadataHash('abba', 'WATERLOO!', 167.6));
    expect(metadataHash('ABBA', 'Waterloo', 168)).not.toBe(metadataHash('ABBA', 'Waterloo', 200));
    expect(metadataHash('', 'Waterloo', 168)).toBeNull();
  });

  it('groups by content first and by metadata for the rest', () => {
    const { groups, duplicateFiles } = findDuplicates([
      { path: 'a.mp3', metadataHash: 'm1', contentHash: 'c1' },
      { path: 'a-copy.mp3', metadataHash: 'm1', contentHash: 'c1' },
      { path: 'a.flac', metadataHash: 'm1', contentHash: 'c2' },
      { path: 'b.mp3', metadataHash: 'm2', contentHash: 'c3' },
      { path: 'untagged.mp3', metadataHash: null, contentHash: 'c4' },
    ]);
    expect(duplicateFiles).toBe(2);
    expect(groups).toEqual([
      { method: 'content', hash: 'c1', paths: ['a-copy.mp3', 'a.mp3'] },
      { method: 'metadata', hash: 'm1', paths: ['a-copy.mp3', 'a.flac', 'a.mp3'] },
    ]);
  });

  it('groups by metadata only when contents were not hashed', () => {
    const { groups, duplicateFiles } = findDuplicates([
      { path: 'a.mp3', metadataHash: 'm1', contentHash: null },
      { path: 'a-copy.mp3', metadataHash: 'm1', contentHash: null },
      { path: 'b.mp3', metadataHash: 'm2', contentHash: null },
      { path: 'untagged-1.mp3', metadataHash: null, contentHash: null },
      { path: 'untagged-2.mp3', metadataHash: null, contentHash: null },
    ]);
    expect(duplicateFiles).toBe(1);
    expect(groups).toEqual([{ method: 'metadata', hash: 'm1', paths: ['a-copy.mp3', 'a.mp3'] }]);
  });

  it('finds nothing in a library without duplicates', () => {
    expect(findDuplicates([{ path: 'x', metadataHash: 'm', contentHash: 'c' }])).toEqual({ groups: [], duplicateFiles: 0 });
  });
});

describe('retention', () => {
  const day = 24 * 3600 * 1000;
  it('expires files older than the retention only', () => {
    expect(isExpired(0, 8 * day, 7)).toBe(true);
    expect(isExpired(0, 7 * day, 7)).toBe(false);
    expect(isExpired(5 * day, 8 * day, 7)).toBe(false);
  });
});
