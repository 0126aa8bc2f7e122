import type { JobResult, RemoveJobResult, ScopeSummary, TaskRow, WaitingReason } from './graphql/types.js';
import { formatDateTime, formatJobList, formatRelativeTime } from './format.js';
import { translate, type Locale, type MessageKey } from './i18n.js';

// Words for the task center's facts (scope, queue place, waiting reason, lane), in de or en.
// The API sends only facts; numbers and times go through format.ts.

/** "2 playlists" / "2 Playlists", "3 sources" / "3 Quellen", "All sources" / "Alle Quellen". */
export function scopeText(scope: ScopeSummary, locale: Locale): string {
  if (scope.kind === 'ALL' || scope.count === null) return translate(locale, 'scope.ALL');
  return translate(locale, `scope.${scope.kind}`, { count: scope.count });
}

/** "queued #2" / "Warteschlange #2" while the job waits for its lane; null otherwise. */
export function queueText(row: Pick<TaskRow, 'status' | 'queuePosition'>, locale: Locale): string | null {
  if (row.status !== 'QUEUED' || row.queuePosition === null) return null;
  return translate(locale, 'task.queued', { position: row.queuePosition });
}

const laneKeys: Partial<Record<string, MessageKey>> = {
  download: 'lane.download',
  general: 'lane.general',
};

/** The lane's name in words; a lane the SPA does not know keeps its API name. */
export function laneText(lane: string, locale: Locale): string {
  const key = laneKeys[lane];
  return key ? translate(locale, key) : lane;
}

const eventKeys: Partial<Record<string, MessageKey>> = {
  created: 'event.created',
  started: 'event.started',
  finished: 'event.finished',
  pause: 'event.pauseRequested',
  pause_requested: 'event.pauseRequested',
  paused: 'event.paused',
  resume: 'event.resumed',
  cancel: 'event.cancelRequested',
  cancel_requested: 'event.cancelRequested',
  canceled: 'event.canceled',
  checkpointed: 'event.checkpointed',
  recovered: 'event.recovered',
  retry_scheduled: 'event.retryScheduled',
  retry_failed_items: 'event.retryFailedItems',
  source_read: 'event.sourceRead',
  playlist_synced: 'event.playlistSynced',
};

/** A job event's kind in words; a kind the SPA does not know is shown as the API names it. */
export function eventText(kind: string, locale: Locale): { text: string; known: boolean } {
  const key = eventKeys[kind];
  return key ? { text: translate(locale, key), known: true } : { text: kind, known: false };
}

/** Why a job waits, as a sentence, plus the exact time for a tooltip when there is one. */
export function waitingText(
  reason: WaitingReason,
  locale: Locale,
  now: number,
): { text: string; title: string | null } {
  switch (reason.kind) {
    case 'PAUSED':
    case 'STARTING_SOON':
      return { text: translate(locale, `waiting.${reason.kind}`), title: null };
    case 'BACKING_OFF':
      return {
        text: translate(locale, 'waiting.BACKING_OFF', { time: formatRelativeTime(reason.until, now, locale) }),
        title: reason.until ? formatDateTime(reason.until, locale) : null,
      };
    case 'LANE_BUSY':
      return {
        text:
          reason.runningJobIds.length === 0
            ? translate(locale, 'waiting.LANE_FULL')
            : translate(locale, 'waiting.LANE_BUSY', {
                count: reason.runningJobIds.length,
                jobs: formatJobList(reason.runningJobIds, locale),
              }),
        title: null,
      };
    case 'BEHIND_IN_QUEUE':
      return {
        text: translate(locale, 'waiting.BEHIND_IN_QUEUE', {
          count: reason.aheadJobIds.length,
          jobs: formatJobList(reason.aheadJobIds, locale),
        }),
        title: null,
      };
  }
}

/** The words for a job mutation's typed error; null when it succeeded. */
export function jobErrorText(result: JobResult | RemoveJobResult, locale: Locale): string | null {
  switch (result.__typename) {
    case 'JobPayload':
    case 'RemoveJobPayload':
      return null;
    case 'InvalidJobTransitionError':
      return translate(locale, 'task.error.transition', {
        status: translate(locale, `jobStatus.${result.status}`),
      });
    default:
      return result.message;
  }
}
