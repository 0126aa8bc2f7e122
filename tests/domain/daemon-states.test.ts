import { describe, expect, it } from 'vitest';
import {
  availableActions,
  canPerform,
  DAEMON_STATES,
  DAEMON_TRANSITIONS,
  isLive,
  nextDaemonState,
  type DaemonEvent,
  type DaemonState,
} from '../../server/domain/daemons/states.js';
import { DAEMON_STATUSES, nextDaemonStatus, statusAfterLifecycle, STATUS_TRANSITIONS } from '../../server/domain/daemons/status.js';

describe('daemon lifecycle table', () => {
  const expected: Record<DaemonEvent, Partial<Record<DaemonState, DaemonState>>> = {
    start: { REGISTERED: 'STARTING', STOPPED: 'STARTING', FAILED: 'STARTING' },
    started: { STARTING: 'RUNNING' },
    startFailed: { STARTING: 'FAILED' },
    pause: { RUNNING: 'PAUSED' },
    resume: { PAUSED: 'RUNNING' },
    stop: { STARTING: 'STOPPING', RUNNING: 'STOPPING', PAUSED: 'STOPPING' },
    stopped: { STOPPING: 'STOPPED' },
    restart: { RUNNING: 'STARTING', PAUSED: 'STARTING' },
    fail: { STARTING: 'FAILED', RUNNING: 'FAILED', PAUSED: 'FAILED' },
  };

  for (const event of Object.keys(DAEMON_TRANSITIONS) as DaemonEvent[]) {
    for (const from of DAEMON_STATES) {
      const want = expected[event][from] ?? null;
      it(`${event} from ${from} → ${want ?? 'refused'}`, () => {
        expect(nextDaemonState(from, event)).toBe(want);
      });
    }
  }

  it('offers exactly the controls the table allows', () => {
    expect(availableActions('RUNNING')).toEqual(['STOP', 'PAUSE', 'RUN_NOW']);
    expect(availableActions('PAUSED')).toEqual(['STOP', 'RESUME']);
    expect(availableActions('STOPPED')).toEqual(['START']);
    expect(availableActions('FAILED')).toEqual(['START']);
    expect(availableActions('STOPPING')).toEqual([]);
    expect(canPerform('STOPPED', 'SET_INTERVAL')).toBe(true);
  });

  it('knows which states have a live loop', () => {
    expect(DAEMON_STATES.filter(isLive)).toEqual(['STARTING', 'RUNNING', 'PAUSED']);
  });
});

describe('daemon status table', () => {
  it('is ACTIVE only while a cycle runs', () => {
    expect(nextDaemonStatus('IDLE', 'cycleStarted')).toBe('ACTIVE');
    expect(nextDaemonStatus('ERROR', 'cycleStarted')).toBe('ACTIVE');
    expect(nextDaemonStatus('ACTIVE', 'cycleSucceeded')).toBe('IDLE');
    expect(nextDaemonStatus('ACTIVE', 'cycleFailed')).toBe('ERROR');
    expect(nextDaemonStatus('STOPPED', 'cycleStarted')).toBeNull();
    expect(nextDaemonStatus('IDLE', 'cycleSucceeded')).toBeNull();
  });

  it('every transition targets a known status', () => {
    for (const t of Object.values(STATUS_TRANSITIONS)) expect(DAEMON_STATUSES).toContain(t.to);
  });

  it('follows the lifecycle', () => {
    expect(statusAfterLifecycle('started', 'STOPPED')).toBe('IDLE');
    expect(statusAfterLifecycle('started', 'ERROR')).toBe('IDLE');
    expect(statusAfterLifecycle('stopped', 'ACTIVE')).toBe('STOPPED');
    expect(statusAfterLifecycle('fail', 'IDLE')).toBe('ERROR');
    expect(statusAfterLifecycle('restart', 'ACTIVE')).toBe('ERROR');
    expect(statusAfterLifecycle('pause', 'IDLE')).toBe('IDLE');
    expect(statusAfterLifecycle('start', 'STOPPED')).toBe('STOPPED');
  });
});
