import path from 'node:path';
import sqlite3 from 'sqlite3';
import { describe, expect, it, onTestFinished } from 'vitest';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';
import { control, controlOk, getWorker } from '../helpers/graphql.js';

interface AuditRow {
  id: number;
  at: string | number;
  action: string;
  daemon: string;
  args: string | null;
  client_address: string | null;
  outcome: string;
  detail: string | null;
}

/** Reads rows straight from the SQLite file (the app must be stopped). */
function queryDb<T>(file: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all(sql, (qerr, rows) => {
        db.close();
        if (qerr) reject(qerr);
        else resolve(rows as T[]);
      });
    });
  });
}

const LOCALHOST = /^(::ffff:)?127\.0\.0\.1$/;

describe('persisted desired state', () => {
  it('survives a restart on the same data folder: enabled, paused, interval, cleanup dry run', async () => {
    let t: TestApp = await startTestApp();
    onTestFinished(() => t.stop());

    const disabled = await controlOk(t.url, 'setWorkerEnabled', { name: 'queue_dispatcher', enabled: false });
    expect([disabled.changed, disabled.worker.enabled, disabled.worker.state]).toEqual([true, false, 'STOPPED']);
    await controlOk(t.url, 'pauseWorker', { name: 'retry_scheduler' });
    await controlOk(t.url, 'setWorkerInterval', { name: 'post_processing', seconds: 123 });
    const dry = await controlOk(t.url, 'setCleanupDryRun', { dryRun: false });
    expect(dry.changed).toBe(true);
    // A default-off daemon enabled by the user comes back on.
    await controlOk(t.url, 'setWorkerEnabled', { name: 'watchlist', enabled: true });

    t = await t.restart();

    const qd = await getWorker(t.url, 'queue_dispatcher');
    expect([qd?.enabled, qd?.state]).toEqual([false, 'REGISTERED']);
    const rs = await getWorker(t.url, 'retry_scheduler');
    expect([rs?.state, rs?.paused, rs?.activity?.message]).toEqual(['PAUSED', true, 'Paused']);
    expect((await getWorker(t.url, 'post_processing'))?.intervalSeconds).toBe(123);
    const wl = await getWorker(t.url, 'watchlist');
    expect([wl?.enabled, wl?.state]).toEqual([true, 'RUNNING']);
    const cleanup = await gql<{ worker: { state: string; details: { dryRun: boolean } } }>(
      t.url,
      '{ worker(name: "cleanup") { state details { ... on CleanupDetails { dryRun } } } }',
    );
    expect(cleanup.worker).toEqual({ state: 'REGISTERED', details: { dryRun: false } });
    // Untouched daemons keep their defaults.
    const nr = await getWorker(t.url, 'new_releases_sync');
    expect([nr?.enabled, nr?.state, nr?.intervalSeconds]).toEqual([true, 'RUNNING', 1800]);

    // Resume and re-enable persist too.
    await controlOk(t.url, 'resumeWorker', { name: 'retry_scheduler' });
    await controlOk(t.url, 'setWorkerEnabled', { name: 'queue_dispatcher', enabled: true });
    t = await t.restart();
    expect((await getWorker(t.url, 'retry_scheduler'))?.state).toBe('RUNNING');
    expect((await getWorker(t.url, 'queue_dispatcher'))?.state).toBe('RUNNING');
  });

  it('the reported state of a previous process does not leak into the next one', async () => {
    let t: TestApp = await startTestApp({ env: { ROADIE_AUTOSTART: 'false' } });
    onTestFinished(() => t.stop());
    await controlOk(t.url, 'startWorker', { name: 'download_monitor' });
    t = await t.restart();
    const w = await getWorker(t.url, 'download_monitor');
    expect([w?.state, w?.status, w?.activity]).toEqual(['REGISTERED', 'STOPPED', null]);
  });
});

describe('audit log', () => {
  it('records each control with action, daemon, args, client address and outcome', async () => {
    const t = await startTestApp({ keepData: true });
    let stopped = false;
    onTestFinished(async () => {
      if (!stopped) await t.stop();
      const fs = await import('node:fs/promises');
      await fs.rm(t.dataDir, { recursive: true, force: true });
    });

    await controlOk(t.url, 'startWorker', { name: 'download_monitor' }); // unchanged (already running)
    expect((await control(t.url, 'stopWorker', { name: 'token_refresh' })).__typename).toBe('DependentsRunningError'); // refused
    await controlOk(t.url, 'setWorkerInterval', { name: 'retry_scheduler', seconds: 90 }); // changed
    expect((await control(t.url, 'pauseWorker', { name: 'nope' })).__typename).toBe('UnknownWorkerError'); // refused
    await controlOk(t.url, 'setCleanupDryRun', { dryRun: false }); // changed
    await controlOk(t.url, 'stopWorker', { name: 'token_refresh', cascade: true }); // changed

    await t.stop();
    stopped = true;
    const rows = await queryDb<AuditRow>(path.join(t.dataDir, 'roadie.sqlite'), 'select * from audit_log order by id');
    const brief = rows.map((r) => [r.action, r.daemon, r.outcome]);
    expect(brief).toEqual([
      ['START', 'download_monitor', 'unchanged'],
      ['STOP', 'token_refresh', 'refused'],
      ['SET_INTERVAL', 'retry_scheduler', 'changed'],
      ['PAUSE', 'nope', 'refused'],
      ['SET_DRY_RUN', 'cleanup', 'changed'],
      ['STOP', 'token_refresh', 'changed'],
    ]);
    for (const r of rows) {
      expect(r.client_address, `${r.action} ${r.daemon}`).toMatch(LOCALHOST);
      expect(r.at).toBeTruthy();
      expect(r.detail).toBeTruthy();
    }
    expect(JSON.parse(rows[2]?.args ?? 'null')).toEqual({ seconds: 90 });
    expect(JSON.parse(rows[4]?.args ?? 'null')).toEqual({ dryRun: false });
    expect(JSON.parse(rows[5]?.args ?? 'null')).toEqual({ cascade: true });
    expect(rows[1]?.detail).toContain('spotify_sync');
  });
});
