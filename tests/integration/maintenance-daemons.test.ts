import fs from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startTestApp } from '../helpers/app.js';
import { buildWav } from '../helpers/audio.js';
import { controlOk, DAEMON_STATUS_SUB, type DaemonStatusData, type WorkerData } from '../helpers/graphql.js';
import { subscribeWs } from '../helpers/ws.js';

const DAY_MS = 24 * 3600 * 1000;

async function writeFile(file: string, data: Buffer | string, ageMs = 0): Promise<void> {
  await fs.mkdir(path.dirname(file), { recursive: true });
  await fs.writeFile(file, data);
  if (ageMs > 0) {
    const when = new Date(Date.now() - ageMs);
    await fs.utimes(file, when, when);
  }
}

const exists = (file: string): Promise<boolean> =>
  fs.access(file).then(
    () => true,
    () => false,
  );

type Cleanup = WorkerData & {
  details: { dryRun: boolean; retentionDays: number; filesDeleted: number; bytesFreed: number; filesFound: number; bytesFound: number };
};

describe('cleanup daemon', () => {
  it('dry run reports expired temp files without deleting; then deletes only the expired ones', async () => {
    const t = await startTestApp();
    onTestFinished(() => t.stop());
    const tmp = path.join(t.dataDir, 'tmp');
    const sub = subscribeWs<DaemonStatusData<Cleanup>>(
      t.wsUrl,
      DAEMON_STATUS_SUB('details { ... on CleanupDetails { dryRun retentionDays filesDeleted bytesFreed filesFound bytesFound } }'),
      { name: 'cleanup' },
    );
    onTestFinished(() => sub.close());
    const snap = await sub.next(undefined, 3000, 'snapshot');
    expect(snap.daemonStatus.worker).toMatchObject({ state: 'REGISTERED', enabled: false, details: { dryRun: true, retentionDays: 7 } });

    // Enabling starts it; its first cycle runs at once on the (empty) temp folder.
    await controlOk(t.url, 'setWorkerEnabled', { name: 'cleanup', enabled: true });
    const first = await sub.next((e) => e.daemonStatus.worker.runCount === 1 && e.daemonStatus.worker.status === 'IDLE', 3000, 'first cycle');
    expect(first.daemonStatus.worker.details).toMatchObject({ filesFound: 0, bytesFound: 0, filesDeleted: 0 });

    const old = [
      { file: path.join(tmp, 'old-download.part'), size: 100 },
      { file: path.join(tmp, 'sub', 'old.tmp'), size: 2500 },
      { file: path.join(tmp, 'deep', 'a', 'b', 'old'), size: 7 },
    ];
    const fresh = [
      { file: path.join(tmp, 'new.part'), size: 50, age: 0 },
      { file: path.join(tmp, 'sub', 'six-days-old.tmp'), size: 10, age: 6 * DAY_MS },
    ];
    for (const f of old) await writeFile(f.file, Buffer.alloc(f.size, 1), 10 * DAY_MS);
    for (const f of fresh) await writeFile(f.file, Buffer.alloc(f.size, 2), f.age);
    const oldBytes = old.reduce((n, f) => n + f.size, 0);

    await controlOk(t.url, 'runWorkerNow', { name: 'cleanup' });
    const dry = await sub.next((e) => e.daemonStatus.worker.runCount === 2 && e.daemonStatus.worker.status === 'IDLE', 3000, 'dry-run cycle');
    expect(dry.daemonStatus.worker.details).toMatchObject({ dryRun: true, filesFound: old.length, bytesFound: oldBytes, filesDeleted: 0, bytesFreed: 0 });
    const msg = await sub.next((e) => /Dry run/.test(e.daemonStatus.worker.activity?.message ?? ''), 1000, 'dry-run activity');
    expect(msg.daemonStatus.worker.activity?.message).toContain(`${old.length} temp files`);
    for (const f of [...old, ...fresh]) expect(await exists(f.file), f.file).toBe(true);

    const off = await controlOk(t.url, 'setCleanupDryRun', { dryRun: false });
    expect(off.changed).toBe(true);
    await controlOk(t.url, 'runWorkerNow', { name: 'cleanup' });
    const real = await sub.next((e) => e.daemonStatus.worker.runCount === 3 && e.daemonStatus.worker.status === 'IDLE', 3000, 'deleting cycle');
    expect(real.daemonStatus.worker.details).toMatchObject({
      dryRun: false,
      filesFound: old.length,
      bytesFound: oldBytes,
      filesDeleted: old.length,
      bytesFreed: oldBytes,
    });
    for (const f of old) expect(await exists(f.file), f.file).toBe(false);
    for (const f of fresh) expect(await exists(f.file), f.file).toBe(true);

    // Nothing left to find: the totals stay.
    await controlOk(t.url, 'runWorkerNow', { name: 'cleanup' });
    const again = await sub.next((e) => e.daemonStatus.worker.runCount === 4 && e.daemonStatus.worker.status === 'IDLE', 3000, 'empty cycle');
    expect(again.daemonStatus.worker.details).toMatchObject({ filesFound: 0, bytesFound: 0, filesDeleted: old.length, bytesFreed: oldBytes });
  });
});

type Dupes = WorkerData & {
  details: {
    detectionMethod: string;
    tracksScanned: number;
    duplicatesFound: number;
    duplicateGroups: number;
    groups: { method: string; hash: string; paths: string[] }[];
  };
};

describe('duplicate detector', () => {
  it('finds planted content and metadata duplicates in the library', async () => {
    const t = await startTestApp();
    onTestFinished(() => t.stop());
    const lib = path.join(t.dataDir, 'library');
    const sub = subscribeWs<DaemonStatusData<Dupes>>(
      t.wsUrl,
      DAEMON_STATUS_SUB('details { ... on DuplicateDetectorDetails { detectionMethod tracksScanned duplicatesFound duplicateGroups groups { method hash paths } } }'),
      { name: 'duplicate_detector' },
    );
    onTestFinished(() => sub.close());
    await sub.next(undefined, 3000, 'snapshot');

    await controlOk(t.url, 'startWorker', { name: 'duplicate_detector' });
    const empty = await sub.next((e) => e.daemonStatus.worker.runCount === 1 && e.daemonStatus.worker.status === 'IDLE', 3000, 'first cycle');
    expect(empty.daemonStatus.worker.details).toMatchObject({ tracksScanned: 0, duplicatesFound: 0, groups: [] });

    const roads = buildWav({ artist: 'Portishead', title: 'Roads', seconds: 1, seed: 1 });
    const planted: Record<string, Buffer | string> = {
      // identical bytes
      'Portishead/Dummy/05 Roads.wav': roads,
      'Incoming/Roads (copy).wav': roads,
      // same recording, different bytes, tags differ in case and punctuation
      'Portishead/Dummy/11 Glory Box.wav': buildWav({ artist: 'Portishead', title: 'Glory Box', seconds: 2, seed: 2 }),
      'Incoming/glory_box.wav': buildWav({ artist: 'PORTISHEAD!', title: 'glory box.', seconds: 2, seed: 3 }),
      // unique: other tracks, and same tags with another duration
      'Massive Attack/Mezzanine/03 Teardrop.wav': buildWav({ artist: 'Massive Attack', title: 'Teardrop', seconds: 1, seed: 4 }),
      'Tricky/Maxinquaye/01 Overcome.wav': buildWav({ artist: 'Tricky', title: 'Overcome', seconds: 1, seed: 5 }),
      'Portishead/Roseland NYC Live/Roads (Live).wav': buildWav({ artist: 'Portishead', title: 'Roads', seconds: 3, seed: 6 }),
      // not audio: ignored
      'Portishead/Dummy/cover.jpg': Buffer.alloc(64, 7),
      'Incoming/notes.txt': 'not a track',
    };
    for (const [rel, data] of Object.entries(planted)) await writeFile(path.join(lib, rel), data);
    const audioFiles = Object.keys(planted).filter((p) => p.endsWith('.wav'));

    await controlOk(t.url, 'runWorkerNow', { name: 'duplicate_detector' });
    const scan = await sub.next((e) => e.daemonStatus.worker.runCount === 2 && e.daemonStatus.worker.status === 'IDLE', 5000, 'scan');
    const d = scan.daemonStatus.worker.details;
    expect(scan.daemonStatus.worker.lastError).toBeNull();
    expect(d.tracksScanned).toBe(audioFiles.length);
    expect(d.duplicatesFound).toBe(2);
    expect(d.duplicateGroups).toBe(2);
    const byMethod = Object.fromEntries(d.groups.map((g) => [g.method, g.paths]));
    expect(d.groups.map((g) => g.method).sort()).toEqual(['content', 'metadata']);
    expect(byMethod.content).toEqual(['Incoming/Roads (copy).wav', 'Portishead/Dummy/05 Roads.wav']);
    expect(byMethod.metadata).toEqual(['Incoming/glory_box.wav', 'Portishead/Dummy/11 Glory Box.wav']);
    await sub.next((e) => e.daemonStatus.worker.activity?.message === 'Scanned 7 tracks: 2 duplicates in 2 groups', 1000, 'summary activity');
  });
});
