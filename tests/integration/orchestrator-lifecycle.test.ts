import { describe, expect, it, onTestFinished } from 'vitest';
import { DaemonCrash } from '../../server/daemons/base.js';
import { gql, startTestApp } from '../helpers/app.js';
import { Gate } from '../helpers/events.js';
import { type FakeDaemon, fakes } from '../helpers/fake-daemons.js';
import { control, controlOk, DAEMON_STATUS_SUB, getWorker, getWorkers, type DaemonStatusData } from '../helpers/graphql.js';
import { subscribeWs } from '../helpers/ws.js';

const NO_AUTOSTART = { ROADIE_AUTOSTART: 'false' };
/** For tests whose daemons fail on purpose (their warnings are expected). */
const QUIET = { ROADIE_LOG_LEVEL: 'error' };

async function app(opts: Parameters<typeof startTestApp>[0] = {}) {
  const t = await startTestApp(opts);
  onTestFinished(() => t.stop());
  return t;
}

describe('stopping a daemon others depend on', () => {
  it('refuses without cascade (DependentsRunningError naming both), changes nothing', async () => {
    const t = await app();
    const r = await control(t.url, 'stopWorker', { name: 'token_refresh' });
    expect(r.__typename).toBe('DependentsRunningError');
    expect(r.workerName).toBe('token_refresh');
    expect([...(r.dependents ?? [])].sort()).toEqual(['new_releases_sync', 'spotify_sync']);
    expect(r.message).toContain('spotify_sync');
    expect(r.message).toContain('new_releases_sync');

    const states = Object.fromEntries((await getWorkers(t.url)).map((w) => [w.name, w.state]));
    expect(states).toMatchObject({ token_refresh: 'RUNNING', spotify_sync: 'RUNNING', new_releases_sync: 'RUNNING' });

    // Disabling says the same.
    const d = await control(t.url, 'setWorkerEnabled', { name: 'token_refresh', enabled: false });
    expect(d.__typename).toBe('DependentsRunningError');
    const tr = await getWorker(t.url, 'token_refresh');
    expect([tr?.state, tr?.enabled]).toEqual(['RUNNING', true]);
  });

  it('with cascade:true stops the dependents first, then the daemon', async () => {
    const t = await app();
    const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB());
    onTestFinished(() => sub.close());
    for (let i = 0; i < 12; i++) await sub.next(undefined, 3000, 'snapshot');
    const mark = sub.mark();

    const r = await controlOk(t.url, 'stopWorker', { name: 'token_refresh', cascade: true });
    expect(r.changed).toBe(true);
    expect(r.worker.state).toBe('STOPPED');
    expect(r.message).toContain('spotify_sync');

    await sub.next((e) => e.daemonStatus.worker.name === 'token_refresh' && e.daemonStatus.worker.state === 'STOPPED', 2000, 'token_refresh STOPPED');
    const stoppedOrder = sub
      .since(mark)
      .filter((e) => e.daemonStatus.worker.state === 'STOPPED')
      .map((e) => e.daemonStatus.worker.name);
    expect(stoppedOrder).toHaveLength(3);
    expect(stoppedOrder[2]).toBe('token_refresh');
    expect([...stoppedOrder.slice(0, 2)].sort()).toEqual(['new_releases_sync', 'spotify_sync']);

    const workers = Object.fromEntries((await getWorkers(t.url)).map((w) => [w.name, w]));
    for (const n of ['token_refresh', 'spotify_sync', 'new_releases_sync']) expect(workers[n]?.state, n).toBe('STOPPED');
    const at = (n: string): number => Date.parse(workers[n]?.stoppedAt ?? '');
    expect(at('spotify_sync')).toBeLessThanOrEqual(at('token_refresh'));
    expect(at('new_releases_sync')).toBeLessThanOrEqual(at('token_refresh'));
    // Unrelated daemons keep running.
    expect(workers.download_monitor?.state).toBe('RUNNING');
  });

  it('starting a dependent starts its stopped dependency first', async () => {
    const t = await app();
    await controlOk(t.url, 'stopWorker', { name: 'token_refresh', cascade: true });
    const r = await controlOk(t.url, 'startWorker', { name: 'spotify_sync' });
    expect(r.worker.state).toBe('RUNNING');
    expect((await getWorker(t.url, 'token_refresh'))?.state).toBe('RUNNING');
    expect((await getWorker(t.url, 'new_releases_sync'))?.state).toBe('STOPPED');
  });
});

describe('crash handling (fake daemons)', () => {
  it('a cycle throwing a plain Error → status ERROR, lastError, errorCount 1, still RUNNING', async () => {
    const t = await app({
      env: QUIET,
      daemons: fakes({
        key: 'flaky',
        cycle: async (_ctx, n) => {
          if (n === 1) throw new Error('disk on fire');
          return 'all good again';
        },
      }),
    });
    const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB(), { name: 'flaky' });
    onTestFinished(() => sub.close());
    // The first cycle runs on start: the snapshot may already show it.
    const err = await sub.next((e) => e.daemonStatus.worker.status === 'ERROR', 2000, 'status ERROR');
    expect(err.daemonStatus.worker).toMatchObject({ state: 'RUNNING', lastError: 'disk on fire', errorCount: 1, restartCount: 0, error: null });

    await controlOk(t.url, 'runWorkerNow', { name: 'flaky' });
    const ok = await sub.next((e) => e.daemonStatus.worker.status === 'IDLE' && e.daemonStatus.worker.runCount === 2, 2000, 'IDLE after a good cycle');
    expect(ok.daemonStatus.worker).toMatchObject({ state: 'RUNNING', lastError: null, errorCount: 1 });
    await sub.next((e) => e.daemonStatus.worker.activity?.message === 'all good again', 1000, 'the idle message of the good cycle');
  });

  it('a cycle always throwing DaemonCrash → restarts 1, 2, 3, then FAILED with the error', async () => {
    const t = await app({
      env: { ...NO_AUTOSTART, ...QUIET },
      daemons: fakes({
        key: 'crashy',
        cycle: async (_ctx, n) => {
          throw new DaemonCrash(`crash #${n}`);
        },
      }),
    });
    const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB(), { name: 'crashy' });
    onTestFinished(() => sub.close());
    await sub.next(undefined, 3000, 'snapshot');
    const mark = sub.mark();

    await controlOk(t.url, 'startWorker', { name: 'crashy' });
    const failed = await sub.next((e) => e.daemonStatus.worker.state === 'FAILED', 3000, 'FAILED');
    expect(failed.daemonStatus.worker).toMatchObject({ status: 'ERROR', restartCount: 3, error: 'crash #4' });

    const restarts = sub
      .since(mark)
      .filter((e) => e.daemonStatus.worker.state === 'STARTING')
      .map((e) => e.daemonStatus.worker.restartCount);
    expect([...new Set(restarts)]).toEqual([0, 1, 2, 3]);

    const o = await gql<{ orchestrator: { failed: number; running: number } }>(t.url, '{ orchestrator { failed running } }');
    expect(o.orchestrator).toEqual({ failed: 1, running: 0 });

    // A person can start it again (its schedule is kept, so run a cycle now): the restart budget starts over.
    const restarted = await controlOk(t.url, 'startWorker', { name: 'crashy' });
    expect(restarted.worker).toMatchObject({ state: 'RUNNING', restartCount: 0, error: null });
    await controlOk(t.url, 'runWorkerNow', { name: 'crashy' });
    const refailed = await sub.next((e) => e.daemonStatus.worker.state === 'FAILED', 3000, 'FAILED again');
    expect(refailed.daemonStatus.worker.error).toBe('crash #8');
  });

  it('a required daemon whose dependency cannot set up → both FAILED, unhealthy, /readyz 503, /healthz 200', async () => {
    let depInstance: FakeDaemon | undefined;
    const t = await app({
      env: QUIET,
      daemons: (env) => {
        const list = fakes(
          {
            key: 'fake_token',
            priority: 100,
            setUp: async (n) => {
              throw new DaemonCrash(`no credentials (attempt ${n})`);
            },
          },
          { key: 'fake_sync', priority: 90, required: true, dependsOn: ['fake_token'] },
          { key: 'bystander', priority: 10 },
        )(env);
        depInstance = list[0];
        return list;
      },
    });
    const dep = await getWorker(t.url, 'fake_token');
    expect(dep?.state).toBe('FAILED');
    expect(dep?.error).toMatch(/no credentials/);
    expect(dep?.restartCount).toBe(3);
    expect(depInstance?.setUpCalls).toBeGreaterThanOrEqual(4);

    const main = await getWorker(t.url, 'fake_sync');
    expect(main?.state).toBe('FAILED');
    expect(main?.error).toContain('fake_token');
    expect((await getWorker(t.url, 'bystander'))?.state).toBe('RUNNING');

    const o = await gql<{ orchestrator: { healthy: boolean; unhealthyRequired: string[]; failed: number } }>(
      t.url,
      '{ orchestrator { healthy unhealthyRequired failed } }',
    );
    expect(o.orchestrator).toEqual({ healthy: false, unhealthyRequired: ['fake_sync'], failed: 2 });

    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(503);
    expect(ready.headers.get('content-type')).toMatch(/application\/json/);
    expect(await ready.json()).toEqual({ ready: false, startedUp: true, database: true, unhealthyDaemons: ['fake_sync'] });

    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
  });

  it('at boot a dependency that cannot set up gets 1 attempt + at most 3 restarts, not a second round per dependent', async () => {
    const calls: Record<string, number> = {};
    const t = await app({
      env: QUIET,
      daemons: (env) => {
        const list = fakes(
          { key: 'fake_token', priority: 100, setUp: async () => Promise.reject(new DaemonCrash('no credentials')) },
          { key: 'dependent_a', priority: 90, dependsOn: ['fake_token'] },
          { key: 'dependent_b', priority: 80, dependsOn: ['fake_token'] },
        )(env);
        Object.defineProperty(calls, 'fake_token', { get: () => list[0]?.setUpCalls ?? 0, enumerable: true });
        return list;
      },
    });
    expect((await getWorker(t.url, 'fake_token'))?.state).toBe('FAILED');
    expect((await getWorker(t.url, 'dependent_a'))?.error).toContain('fake_token');
    expect((await getWorker(t.url, 'dependent_b'))?.error).toContain('fake_token');
    expect(calls.fake_token).toBe(4);

    // Starting a dependent by hand does try its failed dependency again.
    const r = await controlOk(t.url, 'startWorker', { name: 'dependent_a' });
    expect(r.worker.state).toBe('FAILED');
    expect(calls.fake_token).toBe(8);
  });

  it('a dependency cycle makes startTestApp/buildApp reject with "cycle"', async () => {
    await expect(
      startTestApp({
        daemons: fakes({ key: 'a', dependsOn: ['b'] }, { key: 'b', dependsOn: ['c'] }, { key: 'c', dependsOn: ['a'] }),
      }),
    ).rejects.toThrow(/cycle/);
  });
});

describe('status and activity (fake daemons)', () => {
  it('status is ACTIVE while a cycle runs, IDLE after it ends', async () => {
    const gate = new Gate();
    const t = await app({
      env: NO_AUTOSTART,
      daemons: fakes({
        key: 'gated',
        cycle: async (ctx) => {
          ctx.report('Processing job 7', { jobId: 'job-7', jobType: 'playlist_sync' });
          await gate.wait(ctx.signal);
          return 'Sleeping until the test says';
        },
      }),
    });
    onTestFinished(() => gate.open());
    const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB(), { name: 'gated' });
    onTestFinished(() => sub.close());
    const snap = await sub.next(undefined, 3000, 'snapshot');
    expect(snap.daemonStatus.worker).toMatchObject({ state: 'REGISTERED', status: 'STOPPED' });

    await controlOk(t.url, 'startWorker', { name: 'gated' });
    await sub.next((e) => e.daemonStatus.worker.status === 'ACTIVE', 2000, 'ACTIVE');
    const job = await sub.next((e) => e.daemonStatus.worker.activity?.jobId === 'job-7', 1000, 'job activity');
    expect(job.daemonStatus.worker.activity).toMatchObject({ message: 'Processing job 7', jobType: 'playlist_sync' });
    expect(job.daemonStatus.worker.status).toBe('ACTIVE');
    expect((await getWorker(t.url, 'gated'))?.status).toBe('ACTIVE');

    gate.open();
    const idle = await sub.next((e) => e.daemonStatus.worker.status === 'IDLE', 2000, 'IDLE');
    expect(idle.daemonStatus.worker.runCount).toBe(1);
    expect(idle.daemonStatus.worker.lastRunAt).not.toBeNull();
    const rest = await sub.next((e) => e.daemonStatus.worker.activity?.message === 'Sleeping until the test says', 1000, 'idle message');
    expect(rest.daemonStatus.worker.activity?.jobId).toBeNull();
  });

  it('activity is throttled: 200 reports in a burst → at most 10 events, the last one delivered', async () => {
    const gate = new Gate();
    const t = await app({
      env: NO_AUTOSTART,
      daemons: fakes({
        key: 'chatty',
        cycle: async (ctx) => {
          for (let i = 1; i <= 200; i++) ctx.report(`step ${i} of 200`);
          await gate.wait(ctx.signal);
        },
      }),
    });
    onTestFinished(() => gate.open());
    const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB(), { name: 'chatty' });
    onTestFinished(() => sub.close());
    await sub.next(undefined, 3000, 'snapshot');

    await controlOk(t.url, 'startWorker', { name: 'chatty' });
    const active = await sub.next((e) => e.daemonStatus.worker.status === 'ACTIVE', 2000, 'ACTIVE');
    const last = await sub.next((e) => e.daemonStatus.worker.activity?.message === 'step 200 of 200', 1000, 'the last report');
    expect(sub.timeOf(last) - sub.timeOf(active)).toBeLessThan(1000);

    gate.open();
    await sub.next((e) => e.daemonStatus.worker.activity?.message === 'Sleeping for 3600 seconds', 2000, 'idle message');
    const messages = sub.events.map((e) => e.daemonStatus.worker.activity?.message ?? null);
    const stepEvents = messages.filter((m) => m?.startsWith('step '));
    expect(stepEvents.length).toBeGreaterThanOrEqual(1);
    expect(stepEvents.length).toBeLessThanOrEqual(10);
    expect(stepEvents.at(-1)).toBe('step 200 of 200');
    // Nothing of the burst arrives after the idle message.
    expect(messages.at(-1)).toBe('Sleeping for 3600 seconds');
  });

  it('setWorkerInterval reschedules a running daemon: with 1 s the next cycle follows within 2.5 s', async () => {
    const t = await app({ daemons: fakes({ key: 'ticker', intervalSeconds: 3600 }) });
    const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB(), { name: 'ticker' });
    onTestFinished(() => sub.close());
    await sub.next((e) => e.daemonStatus.worker.runCount === 1 && e.daemonStatus.worker.status === 'IDLE', 2000, 'first cycle');
    const r = await controlOk(t.url, 'setWorkerInterval', { name: 'ticker', seconds: 1 });
    expect(r.worker.intervalSeconds).toBe(1);
    const sentAt = performance.now();
    const second = await sub.next((e) => e.daemonStatus.worker.runCount === 2, 2500, 'second cycle');
    expect(sub.timeOf(second) - sentAt).toBeLessThan(2500);
  });

  it('pausing during a cycle: the cycle finishes, then the activity says "Paused", not its last progress', async () => {
    const gate = new Gate();
    const t = await app({
      // No activity throttle: every report is published in order, so the events are deterministic.
      env: { ROADIE_ACTIVITY_MIN_INTERVAL_MS: '0' },
      daemons: fakes({
        key: 'slow',
        cycle: async (ctx) => {
          ctx.report('Processing item 1 of 2');
          await gate.wait(ctx.signal);
          ctx.report('Processing item 2 of 2');
        },
      }),
    });
    onTestFinished(() => gate.open());
    const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB(), { name: 'slow' });
    onTestFinished(() => sub.close());
    await sub.next((e) => e.daemonStatus.worker.activity?.message === 'Processing item 1 of 2', 2000, 'first item');
    await controlOk(t.url, 'pauseWorker', { name: 'slow' });
    await sub.next((e) => e.daemonStatus.worker.state === 'PAUSED', 1000, 'PAUSED');
    gate.open();
    await sub.next((e) => e.daemonStatus.worker.status === 'IDLE' && e.daemonStatus.worker.runCount === 1, 2000, 'cycle end');
    // A later write is the sync point: every event of the cycle's end was published before it.
    await controlOk(t.url, 'setWorkerInterval', { name: 'slow', seconds: 1234 });
    const last = await sub.next((e) => e.daemonStatus.worker.intervalSeconds === 1234, 1000, 'interval event');
    expect(last.daemonStatus.worker).toMatchObject({ state: 'PAUSED', runCount: 1, activity: { message: 'Paused' } });
    const w = await getWorker(t.url, 'slow');
    expect([w?.state, w?.activity?.message, w?.runCount]).toEqual(['PAUSED', 'Paused', 1]);
  });

  it('activity is cleared when the daemon stops', async () => {
    const t = await app({ daemons: fakes({ key: 'talker', cycle: async () => 'Waiting for nothing' }) });
    const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB(), { name: 'talker' });
    onTestFinished(() => sub.close());
    await sub.next((e) => e.daemonStatus.worker.activity?.message === 'Waiting for nothing', 2000, 'activity');
    await controlOk(t.url, 'stopWorker', { name: 'talker' });
    const stopped = await sub.next((e) => e.daemonStatus.worker.state === 'STOPPED', 1000, 'STOPPED');
    expect(stopped.daemonStatus.worker.activity).toBeNull();
    expect((await getWorker(t.url, 'talker'))?.activity).toBeNull();
  });
});
