import { isPlaylistScoped, type JobScope } from './scope.js';
import type { JobType, Lane, StageType } from './types.js';

/** The stages each job type runs, in order. */
export const JOB_STAGES: Readonly<Record<JobType, readonly StageType[]>> = {
  catalog_sync: ['collect', 'sync', 'download'],
  collect_only: ['collect'],
  sync_only: ['sync'],
  sync_download: ['sync', 'download'],
  download_only: ['download'],
  upload_only: ['upload'],
  download_upload: ['download', 'upload'],
  library_scan: ['task'],
  find_duplicates: ['task'],
};

export function stagesOf(jobType: JobType): readonly StageType[] {
  return JOB_STAGES[jobType];
}

export function hasStage(jobType: JobType, stage: StageType): boolean {
  return JOB_STAGES[jobType].includes(stage);
}

/** A job with a download stage waits in the download lane, so downloads never overlap. */
export function laneOf(jobType: JobType): Lane {
  return hasStage(jobType, 'download') ? 'download' : 'general';
}

/** The row shows the progress of the first of these the job has: the stage that moves songs. */
const PRIMARY_STAGE_PREFERENCE: readonly StageType[] = ['download', 'upload', 'sync', 'collect', 'task'];

export function primaryStageOf(jobType: JobType): StageType {
  const stage = PRIMARY_STAGE_PREFERENCE.find((s) => hasStage(jobType, s));
  if (stage === undefined) throw new Error(`job type ${jobType} has no stages`); // every type has one (tested)
  return stage;
}

/** Jobs a lane runs at once unless changed live: one download job, three general jobs. */
export const DEFAULT_LANE_LIMITS: Readonly<Record<Lane, number>> = { download: 1, general: 3 };

/** 0 holds a lane without cancelling anything; the ceiling stops a typo from starting hundreds of jobs. */
export const MAX_LANE_LIMIT = 16;

export function isValidLaneLimit(limit: number): boolean {
  return Number.isInteger(limit) && limit >= 0 && limit <= MAX_LANE_LIMIT;
}

/** Names as the seed's task center shows them; a job for selected playlists says so. */
const DISPLAY_NAMES: Readonly<Record<JobType, { readonly all: string; readonly playlists: string }>> = {
  catalog_sync: { all: 'Full Pipeline', playlists: 'Full Pipeline' },
  collect_only: { all: 'Collect', playlists: 'Collect' },
  sync_only: { all: 'Sync', playlists: 'Sync Selected Playlists' },
  sync_download: { all: 'Sync Then Download All', playlists: 'Sync Then Download' },
  download_only: { all: 'Download', playlists: 'Download Selected Playlists' },
  upload_only: { all: 'Upload', playlists: 'Upload' },
  download_upload: { all: 'Download Then Upload', playlists: 'Download Then Upload' },
  // tasks take no playlist scope
  library_scan: { all: 'Library Scan', playlists: 'Library Scan' },
  find_duplicates: { all: 'Find Duplicates', playlists: 'Find Duplicates' },
};

export function displayName(jobType: JobType, scope?: JobScope | null): string {
  const names = DISPLAY_NAMES[jobType];
  return isPlaylistScoped(scope) ? names.playlists : names.all;
}
