import { describe, expect, it } from 'vitest';
import { DEFAULT_LANE_LIMITS } from '../../../server/domain/jobs/catalog.js';
import {
  compareDispatchOrder,
  pickRunnable,
  queuePosition,
  queuePositions,
  waitingReason,
  type QueuedJob,
  type WaitingContext,
} from '../../../server/domain/jobs/dispatch.js';
import type { Lane } from '../../../server/domain/jobs/types.js';

const now = new Date('2026-04-17T12:00:00Z');
const at = (min: number) => new Date(now.getTime() + min * 60_000);
const job = (id: number, lane: Lane, extra: Partial<QueuedJob> = {}): QueuedJob => ({
  id,
  lane,
  priority: 0,
  createdAt: at(-100 + id),
  status: 'queued',
  ...extra,
});
const ids = (jobs: readonly QueuedJob[]) => jobs.map((j) => j.id);
const idle = { download: 0, general: 0 };

describe('dispatch order', () => {
  it('orders by priority (lower first), then created_at, then id', () => {
    const jobs = [
      job(1, 'general', { priority: 5 }),
      job(2, 'general', { priority: 0, createdAt: at(-1) }),
      job(3, 'general', { priority: 0, createdAt: at(-5) }),
      job(4, 'general', { priority: 0, createdAt: at(-5) }),
    ];
    expect(ids([...jobs].sort(compareDispatchOrder))).toEqual([3, 4, 2, 1]);
  });
});

describe('pickRunnable', () => {
  it('fills each lane up to its free slots, in dispatch order', () => {
    const queued = [job(1, 'download'), job(2, 'download'), job(3, 'general'), job(4, 'general'), job(5, 'general'), job(6, 'general')];
    expect(ids(pickRunnable(queued, idle, DEFAULT_LANE_LIMITS, now))).toEqual([1, 3, 4, 5]);
  });

  it('does not prefetch: with download limit 1 and one running, no download job starts', () => {
    const queued = [job(1, 'download'), job(2, 'download'), job(3, 'general')];
    expect(ids(pickRunnable(queued, { download: 1, general: 0 }, DEFAULT_LANE_LIMITS, now))).toEqual([3]);
  });

  it('never starts more than the free slots, counting running jobs', () => {
    const queued = [job(1, 'general'), job(2, 'general'), job(3, 'general')];
    expect(ids(pickRunnable(queued, { download: 0, general: 2 }, DEFAULT_LANE_LIMITS, now))).toEqual([1]);
    expect(pickRunnable(queued, { download: 0, general: 3 }, DEFAULT_LANE_LIMITS, now)).toEqual([]);
  });

  it('follows limits changed live: raised starts more, lowered below running starts nothing', () => {
    const queued = [job(1, 'download'), job(2, 'download'), job(3, 'download')];
    expect(ids(pickRunnable(queued, { download: 1, general: 0 }, { download: 3, general: 3 }, now))).toEqual([1, 2]);
    expect(pickRunnable(queued, { download: 2, general: 0 }, { download: 1, general: 3 }, now)).toEqual([]);
    expect(pickRunnable(queued, idle, { download: 0, general: 3 }, now)).toEqual([]);
  });

  it('honours priority over age', () => {
    const queued = [job(1, 'download'), job(2, 'download', { priority: -1 })];
    expect(ids(pickRunnable(queued, idle, DEFAULT_LANE_LIMITS, now))).toEqual([2]);
  });

  it('skips jobs backing off without blocking the ones behind them', () => {
    const queued = [job(1, 'download', { notBefore: at(5) }), job(2, 'download')];
    expect(ids(pickRunnable(queued, idle, DEFAULT_LANE_LIMITS, now))).toEqual([2]);
    expect(ids(pickRunnable(queued, idle, DEFAULT_LANE_LIMITS, at(5)))).toEqual([1]);
  });

  it('ignores jobs that are not queued', () => {
    const queued = [job(1, 'general', { status: 'paused' }), job(2, 'general', { status: 'running' }), job(3, 'general')];
    expect(ids(pickRunnable(queued, idle, DEFAULT_LANE_LIMITS, now))).toEqual([3]);
  });
});

describe('queue positions', () => {
  it('numbers each lane in real dispatch order, not by id', () => {
    const queued = [job(1, 'download'), job(2, 'download', { priority: -1 }), job(3, 'download'), job(4, 'general')];
    const positions = queuePositions(queued, now);
    expect(positions.get(2)).toBe(1);
    expect(positions.get(1)).toBe(2);
    expect(positions.get(3)).toBe(3);
    expect(positions.get(4)).toBe(1);
  });

  it('gives no position to jobs backing off or not queued', () => {
    const queued = [job(1, 'download', { notBefore: at(1) }), job(2, 'download'), job(3, 'download', { status: 'paused' })];
    expect(queuePosition(1, queued, now)).toBeNull();
    expect(queuePosition(2, queued, now)).toBe(1);
    expect(queuePosition(3, queued, now)).toBeNull();
    expect(queuePosition(99, queued, now)).toBeNull();
  });
});

describe('waitingReason', () => {
  const ctx = (queued: QueuedJob[], running: { download?: number[]; general?: number[] }, limits = DEFAULT_LANE_LIMITS): WaitingContext => ({
    now,
    queued,
    runningJobIds: { download: running.download ?? [], general: running.general ?? [] },
    limits,
  });

  it('a paused job waits for resume', () => {
    const j = job(1, 'download', { status: 'paused' });
    expect(waitingReason(j, ctx([], {}))).toEqual({ kind: 'paused' });
  });

  it('a job backing off says until when', () => {
    const j = job(1, 'download', { notBefore: at(5) });
    expect(waitingReason(j, ctx([j], {}))).toEqual({ kind: 'backingOff', until: at(5) });
  });

  it('a full lane names the jobs holding it', () => {
    const j = job(2, 'download');
    expect(waitingReason(j, ctx([j], { download: [7] }))).toEqual({ kind: 'laneBusy', lane: 'download', limit: 1, runningJobIds: [7] });
  });

  it('a lane held at limit 0 is busy with no running jobs', () => {
    const j = job(2, 'general');
    expect(waitingReason(j, ctx([j], {}, { download: 1, general: 0 }))).toEqual({ kind: 'laneBusy', lane: 'general', limit: 0, runningJobIds: [] });
  });

  it('with a free slot, a job behind others that take it waits for them', () => {
    const first = job(1, 'download');
    const second = job(2, 'download');
    expect(waitingReason(second, ctx([first, second], {}))).toEqual({ kind: 'behindInQueue', lane: 'download', aheadJobIds: [1] });
    expect(waitingReason(first, ctx([first, second], {}))).toEqual({ kind: 'startingSoon' });
  });

  it('running and finished jobs are not waiting', () => {
    expect(waitingReason(job(1, 'general', { status: 'running' }), ctx([], {}))).toBeNull();
    expect(waitingReason(job(1, 'general', { status: 'completed' }), ctx([], {}))).toBeNull();
  });
});
