import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';
import {
  control,
  controlOk,
  DAEMON_STATUS_SUB,
  getWorker,
  getWorkers,
  type DaemonStatusData,
} from '../helpers/graphql.js';
import { subscribeSse } from '../helpers/sse.js';
import { subscribeWs } from '../helpers/ws.js';
import { DEFAULT_ON } from '../helpers/daemons.js';


describe('workers over GraphQL (real daemons, autostart)', () => {
  let t: TestApp;
  beforeEach(async () => {
    t = await startTestApp();
  });
  afterEach(async () => {
    await t.stop();
  });

  it('starts the default-enabled daemons, every daemon listed in start order', async () => {
    const workers = await getWorkers(t.url);
    expect(workers).toHaveLength(12);
    expect(workers[0]?.name).toBe('token_refresh');
    const running = workers.filter((w) => w.state === 'RUNNING').map((w) => w.name);
    expect(running.sort()).toEqual([...DEFAULT_ON].sort());
    for (const w of workers.filter((x) => !DEFAULT_ON.includes(x.name))) {
      expect(w.state, w.name).toBe('REGISTERED');
      expect(w.enabled, w.name).toBe(false);
    }
  });

  it('a Worker is a Relay Node: node(id) returns the same worker', async () => {
    const { worker } = await gql<{ worker: { id: string } }>(t.url, '{ worker(name: "token_refresh") { id } }');
    const { node } = await gql<{ node: { __typename: string; name: string } | null }>(
      t.url,
      'query ($id: ID!) { node(id: $id) { __typename ... on Worker { name } } }',
      { id: worker.id },
    );
    expect(node).toEqual({ __typename: 'Worker', name: 'token_refresh' });
  });

  describe('subscriptions', () => {
    it('graphql-ws: daemonStatus snapshot, then STOPPED within 1 s of stopWorker', async () => {
      const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB(), { name: 'spotify_sync' });
      onTestFinished(() => sub.close());

      const snapshot = await sub.next(undefined, 3000, 'snapshot');
      expect(snapshot.daemonStatus.worker.name).toBe('spotify_sync');
      expect(snapshot.daemonStatus.worker.state).toBe('RUNNING');

      const sentAt = performance.now();
      const r = await controlOk(t.url, 'stopWorker', { name: 'spotify_sync' });
      expect(r.changed).toBe(true);
      const stopped = await sub.next((e) => e.daemonStatus.worker.state === 'STOPPED', 1000, 'STOPPED event');
      const elapsed = sub.timeOf(stopped) - sentAt;
      expect(elapsed).toBeLessThan(1000);
      expect(stopped.daemonStatus.worker.status).toBe('STOPPED');
      expect(stopped.daemonStatus.worker.activity).toBeNull();
      // Only spotify_sync events reach a subscriber that asked for spotify_sync.
      expect(sub.events.every((e) => e.daemonStatus.worker.name === 'spotify_sync')).toBe(true);
    });

    it('graphql-ws: orchestratorHealth emits the changed running count', async () => {
      type Health = { orchestratorHealth: { totalWorkers: number; running: number; stopped: number; healthy: boolean } };
      const sub = subscribeWs<Health>(t.wsUrl, 'subscription { orchestratorHealth { totalWorkers running stopped healthy } }');
      onTestFinished(() => sub.close());

      const first = await sub.next(undefined, 3000, 'snapshot');
      expect(first.orchestratorHealth).toEqual({ totalWorkers: 12, running: DEFAULT_ON.length, stopped: 12 - DEFAULT_ON.length, healthy: true });

      await controlOk(t.url, 'stopWorker', { name: 'queue_dispatcher' });
      const changed = await sub.next((e) => e.orchestratorHealth.running === DEFAULT_ON.length - 1, 1000, 'running count - 1');
      expect(changed.orchestratorHealth.healthy).toBe(true); // queue_dispatcher is not required

      await controlOk(t.url, 'stopWorker', { name: 'download_monitor' });
      const unhealthy = await sub.next((e) => e.orchestratorHealth.running === DEFAULT_ON.length - 2, 1000, 'running count - 2');
      expect(unhealthy.orchestratorHealth.healthy).toBe(false); // download_monitor is required
    });

    it('SSE (POST, accept: text/event-stream): snapshot, then a live event', async () => {
      const sub = await subscribeSse<DaemonStatusData>(t.url, DAEMON_STATUS_SUB(), { name: 'new_releases_sync' });
      onTestFinished(() => sub.close());

      const snapshot = await sub.next(undefined, 3000, 'snapshot');
      expect(snapshot.daemonStatus.worker).toMatchObject({ name: 'new_releases_sync', state: 'RUNNING' });

      await controlOk(t.url, 'pauseWorker', { name: 'new_releases_sync' });
      const paused = await sub.next((e) => e.daemonStatus.worker.state === 'PAUSED', 1000, 'PAUSED event');
      expect(paused.daemonStatus.worker.paused).toBe(true);
      expect(paused.daemonStatus.worker.activity?.message).toBe('Paused');
    });

    it('SSE (GET with the CSRF header): snapshot, then a live event', async () => {
      const sub = await subscribeSse<DaemonStatusData>(
        t.url,
        DAEMON_STATUS_SUB(),
        { name: 'retry_scheduler' },
        { method: 'GET', headers: { 'x-graphql-yoga-csrf': '1' } },
      );
      onTestFinished(() => sub.close());
      await sub.next((e) => e.daemonStatus.worker.state === 'RUNNING', 3000, 'snapshot');
      await controlOk(t.url, 'stopWorker', { name: 'retry_scheduler' });
      await sub.next((e) => e.daemonStatus.worker.state === 'STOPPED', 1000, 'STOPPED event');
    });

    it('daemonStatus without a name: one snapshot event per daemon, in start order', async () => {
      const sub = subscribeWs<DaemonStatusData>(t.wsUrl, DAEMON_STATUS_SUB());
      onTestFinished(() => sub.close());
      const names: string[] = [];
      for (let i = 0; i < 12; i++) names.push((await sub.next(undefined, 3000, `snapshot ${i + 1}`)).daemonStatus.worker.name);
      expect(names).toEqual((await getWorkers(t.url)).map((w) => w.name));
    });
  });

  describe('controls', () => {
    it('startWorker on a running daemon succeeds with changed:false and "already running", twice', async () => {
      for (let i = 0; i < 2; i++) {
        const r = await control(t.url, 'startWorker', { name: 'download_monitor' });
        expect(r.__typename).toBe('WorkerControlPayload');
        expect(r.changed).toBe(false);
        expect(r.message).toContain('already running');
        expect(r.worker?.state).toBe('RUNNING');
      }
    });

    it('startWorker on a registered daemon starts it (changed:true)', async () => {
      const r = await controlOk(t.url, 'startWorker', { name: 'watchlist' });
      expect(r.changed).toBe(true);
      expect(r.worker.state).toBe('RUNNING');
      expect(r.worker.startedAt).not.toBeNull();
    });

    it('unknown daemon: every control answers UnknownWorkerError, worker(name) is null', async () => {
      const calls: [string, Record<string, unknown>][] = [
        ['startWorker', { name: 'nope' }],
        ['stopWorker', { name: 'nope' }],
        ['stopWorker', { name: 'nope', cascade: true }],
        ['pauseWorker', { name: 'nope' }],
        ['resumeWorker', { name: 'nope' }],
        ['runWorkerNow', { name: 'nope' }],
        ['setWorkerInterval', { name: 'nope', seconds: 60 }],
        ['setWorkerEnabled', { name: 'nope', enabled: true }],
        ['setWorkerEnabled', { name: 'nope', enabled: false }],
      ];
      for (const [field, args] of calls) {
        const r = await control(t.url, field, args);
        expect(r.__typename, field).toBe('UnknownWorkerError');
        expect(r.name, field).toBe('nope');
        expect(r.message, field).toContain('nope');
      }
      expect(await getWorker(t.url, 'nope')).toBeNull();
    });

    it('pauseWorker on a stopped or never-started daemon → InvalidTransitionError with state and action', async () => {
      const never = await control(t.url, 'pauseWorker', { name: 'cleanup' });
      expect(never).toMatchObject({ __typename: 'InvalidTransitionError', workerName: 'cleanup', state: 'REGISTERED', action: 'PAUSE' });

      await controlOk(t.url, 'stopWorker', { name: 'post_processing' });
      const stopped = await control(t.url, 'pauseWorker', { name: 'post_processing' });
      expect(stopped).toMatchObject({ __typename: 'InvalidTransitionError', workerName: 'post_processing', state: 'STOPPED', action: 'PAUSE' });
      expect((await getWorker(t.url, 'post_processing'))?.state).toBe('STOPPED');
    });

    it('resumeWorker on a running daemon → changed:false', async () => {
      const r = await controlOk(t.url, 'resumeWorker', { name: 'queue_dispatcher' });
      expect(r.changed).toBe(false);
      expect(r.worker.state).toBe('RUNNING');
    });

    it('pause then resume round-trips (changed:true both times)', async () => {
      const p = await controlOk(t.url, 'pauseWorker', { name: 'queue_dispatcher' });
      expect([p.changed, p.worker.state, p.worker.paused]).toEqual([true, 'PAUSED', true]);
      const again = await controlOk(t.url, 'pauseWorker', { name: 'queue_dispatcher' });
      expect(again.changed).toBe(false);
      const r = await controlOk(t.url, 'resumeWorker', { name: 'queue_dispatcher' });
      expect([r.changed, r.worker.state, r.worker.paused]).toEqual([true, 'RUNNING', false]);
    });

    it('runWorkerNow on a stopped daemon → InvalidTransitionError (RUN_NOW)', async () => {
      await controlOk(t.url, 'stopWorker', { name: 'queue_dispatcher' });
      const r = await control(t.url, 'runWorkerNow', { name: 'queue_dispatcher' });
      expect(r).toMatchObject({ __typename: 'InvalidTransitionError', workerName: 'queue_dispatcher', state: 'STOPPED', action: 'RUN_NOW' });
      const never = await control(t.url, 'runWorkerNow', { name: 'discography' });
      expect(never).toMatchObject({ __typename: 'InvalidTransitionError', state: 'REGISTERED', action: 'RUN_NOW' });
    });

    it('setWorkerInterval with 0 or -5 → InvalidArgumentError(seconds), nothing changed', async () => {
      const before = await getWorker(t.url, 'retry_scheduler');
      for (const seconds of [0, -5]) {
        const r = await control(t.url, 'setWorkerInterval', { name: 'retry_scheduler', seconds });
        expect(r.__typename, String(seconds)).toBe('InvalidArgumentError');
        expect(r.argument).toBe('seconds');
      }
      const after = await getWorker(t.url, 'retry_scheduler');
      expect(after?.intervalSeconds).toBe(before?.intervalSeconds);
      expect(after?.intervalSeconds).toBe(30);
      const ok = await controlOk(t.url, 'setWorkerInterval', { name: 'retry_scheduler', seconds: 45 });
      expect([ok.changed, ok.worker.intervalSeconds]).toEqual([true, 45]);
    });
  });
});
