import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sqlite3 from 'sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

interface DaemonRowOnDisk {
  name: string;
  state: string;
  status: string;
  stopped_at: string | number | null;
  activity_message: string | null;
}

function readDaemons(file: string): Promise<DaemonRowOnDisk[]> {
  return new Promise((resolve, reject) => {
    const db = new sqlite3.Database(file, sqlite3.OPEN_READONLY, (err) => {
      if (err) return reject(err);
      db.all('select name, state, status, stopped_at, activity_message from daemon', (e, rows) => {
        db.close();
        if (e) reject(e);
        else resolve(rows as DaemonRowOnDisk[]);
      });
    });
  });
}

const ms = (v: string | number | null): number => (typeof v === 'number' ? v : Date.parse(String(v)));

/** Starts `node server/main.ts` as a real process and resolves with its URL from the JSON log. */
function startProcess(dataDir: string): Promise<{ child: ChildProcessWithoutNullStreams; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
    env: { ...process.env, PORT: '0', HOST: '127.0.0.1', ROADIE_DATA_DIR: dataDir, ROADIE_LOG_PRETTY: 'false', ROADIE_LOG_LEVEL: 'info' },
  });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no URL logged within 20 s:\n${out}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const m = /"url":"(http:\/\/[^"]+)"/.exec(out);
      if (m?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: m[1], output: () => out });
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('exit', (code) => reject(new Error(`exited early with ${code}:\n${out}`)));
  });
}

const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await fs.rm(d, { recursive: true, force: true });
});

describe('process lifecycle', () => {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`stops cleanly within 10 s on ${signal}, daemons in reverse start order`, async () => {
      const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-proc-'));
      dirs.push(dataDir);
      const { child, url, output } = await startProcess(dataDir);
      // wait until the daemons run (ready)
      for (let i = 0; i < 100; i++) {
        const res = await fetch(`${url}/readyz`);
        if (res.status === 200) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      const started = Date.now();
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill(signal);
      const code = await exited;
      expect(code).toBe(0);
      expect(Date.now() - started).toBeLessThan(10_000);
      expect(output()).toContain('Roadie stopped');

      const rows = await readDaemons(path.join(dataDir, 'roadie.sqlite'));
      const stopped = rows.filter((r) => r.stopped_at !== null);
      expect(stopped.map((r) => r.name).sort()).toEqual(
        ['download_monitor', 'new_releases_sync', 'post_processing', 'queue_dispatcher', 'retry_scheduler', 'spotify_sync', 'token_refresh'],
      );
      for (const r of stopped) {
        expect([r.state, r.status, r.activity_message]).toEqual(['STOPPED', 'STOPPED', null]);
      }
      const at = Object.fromEntries(stopped.map((r) => [r.name, ms(r.stopped_at)]));
      // reverse start order: the first to start (token_refresh, priority 100) stops last,
      // and the daemons that depend on it stop before it
      expect(at.token_refresh).toBe(Math.max(...Object.values(at)));
      expect(at.spotify_sync).toBeLessThanOrEqual(at.download_monitor as number);
      expect(at.post_processing).toBeLessThanOrEqual(at.queue_dispatcher as number);
    });
  }

  it('refuses a bad configuration with a message naming the variable', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      env: { ...process.env, PORT: 'not-a-port', ROADIE_DATA_DIR: os.tmpdir() },
    });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(78);
    expect(err).toContain('PORT="not-a-port"');
  });
});
