import { describe, expect, it } from 'vitest';
import { countItems } from '../../../server/domain/jobs/aggregate.js';
import { primaryProgress, progressPercent, transferPercent } from '../../../server/domain/jobs/progress.js';
import { isPlaylistScoped, scopeSummary } from '../../../server/domain/jobs/scope.js';
import type { ItemStatus } from '../../../server/domain/jobs/types.js';

describe('scope summary', () => {
  it('counts playlists first, then sources, else all', () => {
    expect(scopeSummary({ playlistIds: [11, 12] })).toEqual({ kind: 'playlists', count: 2 });
    expect(scopeSummary({ playlistIds: ['a'], sourceIds: ['x', 'y'] })).toEqual({ kind: 'playlists', count: 1 });
    expect(scopeSummary({ sourceIds: ['spotify', 'm3u', 'folder'] })).toEqual({ kind: 'sources', count: 3 });
    expect(scopeSummary({ playlistIds: [], sourceIds: [] })).toEqual({ kind: 'all' });
    expect(scopeSummary({ playlistIds: null })).toEqual({ kind: 'all' });
    expect(scopeSummary(undefined)).toEqual({ kind: 'all' });
  });
  it('knows a playlist-scoped job', () => {
    expect(isPlaylistScoped({ playlistIds: [1] })).toBe(true);
    expect(isPlaylistScoped({ sourceIds: [1] })).toBe(false);
  });
});

describe('primary progress', () => {
  const stage = (stageType: 'collect' | 'sync' | 'download' | 'upload', statuses: ItemStatus[]) => ({ stageType, counts: countItems(statuses) });

  it('shows done / total of the primary stage', () => {
    const p = primaryProgress('download_only', [stage('download', ['succeeded', 'running'])]);
    expect(p).toEqual({ completedItems: 1, totalItems: 2, percent: 50 });
  });

  it('uses the download stage of a pipeline, not the earlier ones', () => {
    const p = primaryProgress('catalog_sync', [
      stage('collect', ['succeeded']),
      stage('sync', ['succeeded', 'succeeded']),
      stage('download', ['succeeded', 'failed', 'pending', 'skipped']),
    ]);
    expect(p).toEqual({ completedItems: 2, totalItems: 4, percent: 50 });
  });

  it('has no percent before the primary stage has items', () => {
    expect(primaryProgress('sync_download', [stage('sync', ['running'])])).toEqual({ completedItems: 0, totalItems: 0, percent: null });
    expect(primaryProgress('sync_only', [stage('sync', [])])).toEqual({ completedItems: 0, totalItems: 0, percent: null });
  });

  it('rounds down, so 100 means done', () => {
    expect(progressPercent(199, 200)).toBe(99);
    expect(progressPercent(1, 3)).toBe(33);
    expect(progressPercent(2, 3)).toBe(66);
    expect(progressPercent(3, 3)).toBe(100);
    expect(progressPercent(0, 0)).toBeNull();
  });

  it('gives a transfer percent to one decimal, null when the size is unknown', () => {
    expect(transferPercent(10 * 2 ** 20, 20 * 2 ** 20)).toBe(50);
    expect(transferPercent(1, 3)).toBe(33.3);
    expect(transferPercent(5, null)).toBeNull();
    expect(transferPercent(5, 0)).toBeNull();
    expect(transferPercent(30, 20)).toBe(100);
  });
});
