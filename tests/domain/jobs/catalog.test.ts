import { describe, expect, it } from 'vitest';
import {
  DEFAULT_LANE_LIMITS,
  displayName,
  hasStage,
  isValidLaneLimit,
  laneOf,
  primaryStageOf,
  stagesOf,
} from '../../../server/domain/jobs/catalog.js';
import { isJobType, isLane, JOB_TYPES, type JobType, type Lane, type StageType } from '../../../server/domain/jobs/types.js';

const table: Record<JobType, { stages: StageType[]; lane: Lane; primary: StageType; all: string; playlists: string }> = {
  catalog_sync: { stages: ['collect', 'sync', 'download'], lane: 'download', primary: 'download', all: 'Full Pipeline', playlists: 'Full Pipeline' },
  collect_only: { stages: ['collect'], lane: 'general', primary: 'collect', all: 'Collect', playlists: 'Collect' },
  sync_only: { stages: ['sync'], lane: 'general', primary: 'sync', all: 'Sync', playlists: 'Sync Selected Playlists' },
  sync_download: { stages: ['sync', 'download'], lane: 'download', primary: 'download', all: 'Sync Then Download All', playlists: 'Sync Then Download' },
  download_only: { stages: ['download'], lane: 'download', primary: 'download', all: 'Download', playlists: 'Download Selected Playlists' },
  upload_only: { stages: ['upload'], lane: 'general', primary: 'upload', all: 'Upload', playlists: 'Upload' },
  download_upload: { stages: ['download', 'upload'], lane: 'download', primary: 'download', all: 'Download Then Upload', playlists: 'Download Then Upload' },
  library_scan: { stages: ['task'], lane: 'general', primary: 'task', all: 'Library Scan', playlists: 'Library Scan' },
  find_duplicates: { stages: ['task'], lane: 'general', primary: 'task', all: 'Find Duplicates', playlists: 'Find Duplicates' },
};

describe('job catalog', () => {
  for (const type of JOB_TYPES) {
    const want = table[type];
    it(`${type}: ${want.stages.join(' → ')}, ${want.lane} lane, shows ${want.primary}`, () => {
      expect(stagesOf(type)).toEqual(want.stages);
      expect(laneOf(type)).toBe(want.lane);
      expect(primaryStageOf(type)).toBe(want.primary);
      expect(displayName(type)).toBe(want.all);
      expect(displayName(type, { playlistIds: [11, 12] })).toBe(want.playlists);
    });
  }

  it('puts exactly the jobs with a download stage in the download lane', () => {
    for (const type of JOB_TYPES) expect(laneOf(type) === 'download').toBe(hasStage(type, 'download'));
  });

  it('names a job by its scope: an empty playlist list or sources only is not playlist-scoped', () => {
    expect(displayName('sync_only', { playlistIds: [] })).toBe('Sync');
    expect(displayName('sync_only', { sourceIds: ['spotify'] })).toBe('Sync');
    expect(displayName('sync_only', null)).toBe('Sync');
  });

  it('starts lanes at one download job and three general jobs', () => {
    expect(DEFAULT_LANE_LIMITS).toEqual({ download: 1, general: 3 });
  });

  it('accepts lane limits from 0 (hold the lane) to 16', () => {
    expect([0, 1, 3, 16].map(isValidLaneLimit)).toEqual([true, true, true, true]);
    expect([-1, 1.5, 17, Number.NaN].map(isValidLaneLimit)).toEqual([false, false, false, false]);
  });

  it('has the seven pipeline job types and the two typed tasks', () => {
    expect(JOB_TYPES).toEqual([
      'catalog_sync',
      'collect_only',
      'sync_only',
      'sync_download',
      'download_only',
      'upload_only',
      'download_upload',
      'library_scan',
      'find_duplicates',
    ]);
  });

  it('runs the typed tasks as one task stage in the general lane, whatever the scope', () => {
    for (const type of ['library_scan', 'find_duplicates'] as const) {
      expect(stagesOf(type)).toEqual(['task']);
      expect(hasStage(type, 'download')).toBe(false);
      expect(laneOf(type)).toBe('general');
      expect(primaryStageOf(type)).toBe('task');
    }
    expect(displayName('library_scan', { playlistIds: [1] })).toBe('Library Scan');
  });

  it('guards strings from outside', () => {
    expect(isJobType('library_scan')).toBe(true);
    expect(isJobType('sync_only')).toBe(true);
    expect(isJobType('transcription')).toBe(false);
    expect(isLane('download')).toBe(true);
    expect(isLane('upload')).toBe(false);
  });
});
