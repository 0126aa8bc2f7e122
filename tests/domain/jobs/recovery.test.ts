import { describe, expect, it } from 'vitest';
import { nextJobStatus } from '../../../server/domain/jobs/job-states.js';
import { isHeartbeatStale, recoveryFor, STALE_HEARTBEAT_MS } from '../../../server/domain/jobs/recovery.js';
import { nextStageStatus } from '../../../server/domain/jobs/stage-states.js';
import { JOB_STATUSES } from '../../../server/domain/jobs/types.js';

const now = new Date('2026-04-17T12:00:00Z');

describe('crash recovery', () => {
  it('finds stale heartbeats', () => {
    expect(STALE_HEARTBEAT_MS).toBe(30_000); // the number
    expect(isHeartbeatStale(new Date(now.getTime() - STALE_HEARTBEAT_MS), now)).toBe(true);
    expect(isHeartbeatStale(new Date(now.getTime() - STALE_HEARTBEAT_MS + 1), now)).toBe(false);
    expect(isHeartbeatStale(null, now)).toBe(true);
    expect(isHeartbeatStale(new Date(now.getTime() - 5_000), now, 1_000)).toBe(true);
  });

  it('re-queues running jobs and pauses pausing ones; others are left alone', () => {
    expect(recoveryFor('running')).toEqual({ job: 'requeue', runningStage: 'requeue' });
    expect(recoveryFor('pause_requested')).toEqual({ job: 'pauseReached', runningStage: 'pause' });
    for (const s of JOB_STATUSES.filter((s) => s !== 'running' && s !== 'pause_requested')) expect(recoveryFor(s)).toBeNull();
  });

  it('uses only transitions the tables allow', () => {
    const r = recoveryFor('running');
    expect(r && nextJobStatus('running', r.job)).toBe('queued');
    expect(r && nextStageStatus('running', r.runningStage)).toBe('pending');
    const p = recoveryFor('pause_requested');
    expect(p && nextJobStatus('pause_requested', p.job)).toBe('paused');
    expect(p && nextStageStatus('running', p.runningStage)).toBe('paused');
  });
});
