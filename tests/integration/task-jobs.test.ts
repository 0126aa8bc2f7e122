// The typed tasks (seed background-task-worker) as Roadie job types, against the real app over
// HTTP and graphql-ws: LIBRARY_SCAN and FIND_DUPLICATES run over a library folder holding real
// (small, tagged) audio files and end COMPLETED with typed results that match what was planted;
// bad parameters are typed errors that create nothing; a missing folder fails the job with a
// message; a cancel stops a running task promptly.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { gql, gqlRaw, startTestApp, type TestApp } from '../helpers/app.js';
import { buildWav } from '../helpers/audio.js';
import { FINAL_STATUSES, jobCommand, waitFor } from '../helpers/jobs.js';
import { subscribeWs } from '../helpers/ws.js';

const TASK_JOB = /* GraphQL */ `
  id jobId jobType displayName status lane error startedAt finishedAt durationMs
  stages { stageType status totalItems succeededItems failedItems }
  taskParams {
    __typename
    ... on LibraryScanParams { folder readTags }
    ... on FindDuplicatesParams { byContent }
  }
  taskResult {
    __typename
    ... on LibraryScanResult { folder readTags files audioFiles totalBytes formats { format files bytes } missingTags unreadableFiles }
    ... on FindDuplicatesResult { byContent tracksScanned unreadable duplicateGroups duplicateFiles groups { method paths } }
  }
  items(first: 5) { edges { node { itemKey label status lastError lastErrorCode nextAttemptAt } } }
`;

interface Format {
  format: string;
  files: number;
  bytes: number;
}
interface TaskJob {
  id: string;
  jobId: number;
  jobType: string;
  displayName: string;
  status: string;
  lane: string;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  stages: { stageType: string; status: string; totalItems: number; succeededItems: number; failedItems: number }[];
  taskParams: Record<string, unknown> | null;
  taskResult:
    | ({ __typename: 'LibraryScanResult'; folder: string | null; readTags: boolean; files: number; audioFiles: number; totalBytes: number; formats: Format[] } & {
        missingTags: number | null;
        unreadableFiles: number | null;
      })
    | { __typename: 'FindDuplicatesResult'; byContent: boolean; tracksScanned: number; unreadable: number; duplicateGroups: number; duplicateFiles: number; groups: { method: string; paths: string[] }[] }
    | null;
  items: { edges: { node: { itemKey: string; label: string | null; status: string; lastError: string | null; lastErrorCode: string | null; nextAttemptAt: string | null } }[] };
}

interface CreateResult {
  __typename: string;
  message?: string;
  argument?: string;
  job?: TaskJob;
}

const CREATE = `mutation ($input: CreateJobInput!) {
  r: createJob(input: $input) {
    __typename
    ... on Error { message }
    ... on InvalidArgumentError { argument }
    ... on JobPayload { job { ${TASK_JOB} } }
  }
}`;

async function create(url: string, input: Record<string, unknown>): Promise<CreateResult> {
  return (await gql<{ r: CreateResult }>(url, CREATE, { input })).r;
}

async function createOk(url: string, input: Record<string, unknown>): Promise<TaskJob> {
  const r = await create(url, input);
  if (r.__typename !== 'JobPayload' || !r.job) throw new Error(`createJob → ${r.__typename}: ${r.message ?? ''}`);
  return r.job;
}

async function job(url: string, id: string): Promise<TaskJob> {
  const j = (await gql<{ job: TaskJob | null }>(url, `query ($id: ID!) { job(id: $id) { ${TASK_JOB} } }`, { id })).job;
  if (!j) throw new Error(`job ${id} not found`);
  return j;
}

function finished(url: string, id: string, timeoutMs = 10_000): Promise<TaskJob> {
  return waitFor(() => job(url, id), (j) => FINAL_STATUSES.includes(j.status), `job ${id} finished`, timeoutMs, 25);
}

async function jobCount(url: string): Promise<number> {
  return (await gql<{ taskCenter: { edges: unknown[] } }>(url, '{ taskCenter(first: 200) { edges { cursor } } }')).taskCenter.edges.length;
}

// ---- the planted library -------------------------------------------------------------------

const roads = buildWav({ artist: 'Portishead', title: 'Roads', seconds: 1, seed: 1 });
const PLANTED: Record<string, Buffer | string> = {
  // identical bytes
  'Portishead/Dummy/05 Roads.wav': roads,
  'Incoming/Roads (copy).wav': roads,
  // the same recording, other bytes; tags differ in case and punctuation
  'Portishead/Dummy/11 Glory Box.wav': buildWav({ artist: 'Portishead', title: 'Glory Box', seconds: 2, seed: 2 }),
  'Incoming/glory_box.wav': buildWav({ artist: 'PORTISHEAD!', title: 'glory box.', seconds: 2, seed: 3 }),
  // unique
  'Massive Attack/Mezzanine/03 Teardrop.wav': buildWav({ artist: 'Massive Attack', title: 'Teardrop', seconds: 1, seed: 4 }),
  // missing tags: no title; no tags at all
  'Incoming/untitled.wav': buildWav({ artist: 'Tricky', seconds: 1, seed: 5 }),
  'Incoming/no tags.wav': buildWav({ seconds: 1, seed: 6 }),
  // audio by name, but not parseable
  'Incoming/broken.flac': 'not really a flac file, just some text',
  // not audio
  'Portishead/Dummy/cover.jpg': Buffer.alloc(640, 7),
  'Incoming/notes.txt': 'not a track',
};
const sizeOf = (data: Buffer | string): number => Buffer.byteLength(data);
const under = (prefix: string): [string, Buffer | string][] => Object.entries(PLANTED).filter(([rel]) => rel.startsWith(prefix));
const bytesOf = (entries: [string, Buffer | string][]): number => entries.reduce((sum, [, data]) => sum + sizeOf(data), 0);

let t: TestApp;
let library: string;

beforeAll(async () => {
  t = await startTestApp({ env: { ROADIE_AUTOSTART: 'false' } });
  library = path.join(t.dataDir, 'library');
  for (const [rel, data] of Object.entries(PLANTED)) {
    await fs.mkdir(path.dirname(path.join(library, rel)), { recursive: true });
    await fs.writeFile(path.join(library, rel), data);
  }
});

afterAll(async () => {
  await t?.stop();
});

describe('LIBRARY_SCAN', () => {
  it('counts the whole library, reads tags, and ends COMPLETED with a typed result and a duration (live over graphql-ws)', async () => {
    const created = await createOk(t.url, { jobType: 'LIBRARY_SCAN' });
    expect(created).toMatchObject({ jobType: 'LIBRARY_SCAN', displayName: 'Library Scan', lane: 'general', durationMs: null, taskResult: null });
    expect(created.taskParams).toEqual({ __typename: 'LibraryScanParams', folder: null, readTags: true });

    const sub = subscribeWs<{ jobUpdated: TaskJob }>(t.wsUrl, `subscription ($id: ID!) { jobUpdated(id: $id) { ${TASK_JOB} } }`, { id: created.id });
    onTestFinished(() => sub.close());
    const done = (await sub.next((e) => FINAL_STATUSES.includes(e.jobUpdated.status), 10_000, 'the finished job')).jobUpdated;

    expect(done.status).toBe('COMPLETED');
    expect(done.error).toBeNull();
    expect(done.stages).toEqual([{ stageType: 'TASK', status: 'COMPLETED', totalItems: 1, succeededItems: 1, failedItems: 0 }]);
    expect(done.items.edges.map((e) => e.node)).toMatchObject([{ itemKey: 'task', label: 'Library Scan', status: 'SUCCEEDED' }]);
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(done.durationMs).toBe(Date.parse(done.finishedAt as string) - Date.parse(done.startedAt as string));

    const all = Object.entries(PLANTED);
    const wav = all.filter(([rel]) => rel.endsWith('.wav'));
    expect(done.taskResult).toEqual({
      __typename: 'LibraryScanResult',
      folder: null,
      readTags: true,
      files: 10,
      audioFiles: 8,
      totalBytes: bytesOf(all),
      formats: [
        { format: 'wav', files: 7, bytes: bytesOf(wav) },
        { format: 'flac', files: 1, bytes: sizeOf(PLANTED['Incoming/broken.flac'] as string) },
        { format: 'jpg', files: 1, bytes: 640 },
        { format: 'txt', files: 1, bytes: sizeOf('not a track') },
      ],
      missingTags: 2, // untitled.wav, no tags.wav
      unreadableFiles: 1, // broken.flac
    });
    // the same result over plain HTTP afterwards: it is stored on the job
    expect((await job(t.url, created.id)).taskResult).toEqual(done.taskResult);
  });

  it('scans one folder without reading tags', async () => {
    const created = await createOk(t.url, { jobType: 'LIBRARY_SCAN', libraryScan: { folder: './Portishead/', readTags: false } });
    expect(created.taskParams).toEqual({ __typename: 'LibraryScanParams', folder: 'Portishead', readTags: false });
    const done = await finished(t.url, created.id);
    expect(done.status).toBe('COMPLETED');
    const files = under('Portishead/');
    expect(done.taskResult).toEqual({
      __typename: 'LibraryScanResult',
      folder: 'Portishead',
      readTags: false,
      files: 3,
      audioFiles: 2,
      totalBytes: bytesOf(files),
      formats: [
        { format: 'wav', files: 2, bytes: bytesOf(files.filter(([rel]) => rel.endsWith('.wav'))) },
        { format: 'jpg', files: 1, bytes: 640 },
      ],
      missingTags: null,
      unreadableFiles: null,
    });
  });

  it('fails a scan of a folder that does not exist, with the reason, and does not retry it', async () => {
    const created = await createOk(t.url, { jobType: 'LIBRARY_SCAN', libraryScan: { folder: 'Bjork/Homogenic' } });
    const done = await finished(t.url, created.id);
    expect(done.status).toBe('FAILED');
    expect(done.error).toBe('folder "Bjork/Homogenic" does not exist in the library');
    expect(done.taskResult).toBeNull();
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(done.stages[0]).toMatchObject({ stageType: 'TASK', status: 'FAILED', failedItems: 1 });
    expect(done.items.edges[0]?.node).toMatchObject({ status: 'FAILED', lastErrorCode: 'file_not_found', nextAttemptAt: null });
  });

  it('fails a scan whose folder is a file, or leads out of the library through a link', async () => {
    const outside = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-outside-'));
    onTestFinished(() => fs.rm(outside, { recursive: true, force: true }));
    await fs.writeFile(path.join(outside, 'secret.wav'), roads);
    await fs.symlink(outside, path.join(library, 'Elsewhere'));
    onTestFinished(() => fs.rm(path.join(library, 'Elsewhere')));

    const link = await finished(t.url, (await createOk(t.url, { jobType: 'LIBRARY_SCAN', libraryScan: { folder: 'Elsewhere' } })).id);
    expect(link).toMatchObject({ status: 'FAILED', error: 'folder "Elsewhere" leads out of the library', taskResult: null });
    const file = await finished(t.url, (await createOk(t.url, { jobType: 'LIBRARY_SCAN', libraryScan: { folder: 'Incoming/notes.txt' } })).id);
    expect(file).toMatchObject({ status: 'FAILED', error: '"Incoming/notes.txt" in the library is a file, not a folder' });
  });
});

describe('FIND_DUPLICATES', () => {
  it('finds the planted content and metadata duplicates', async () => {
    const created = await createOk(t.url, { jobType: 'FIND_DUPLICATES' });
    expect(created).toMatchObject({ displayName: 'Find Duplicates', lane: 'general' });
    expect(created.taskParams).toEqual({ __typename: 'FindDuplicatesParams', byContent: true });
    const done = await finished(t.url, created.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
    expect(done.taskResult).toEqual({
      __typename: 'FindDuplicatesResult',
      byContent: true,
      tracksScanned: 8,
      unreadable: 1,
      duplicateGroups: 2,
      duplicateFiles: 2,
      groups: [
        { method: 'content', paths: ['Incoming/Roads (copy).wav', 'Portishead/Dummy/05 Roads.wav'] },
        { method: 'metadata', paths: ['Incoming/glory_box.wav', 'Portishead/Dummy/11 Glory Box.wav'] },
      ],
    });
  });

  it('compares tags only when byContent is off', async () => {
    const created = await createOk(t.url, { jobType: 'FIND_DUPLICATES', findDuplicates: { byContent: false } });
    expect(created.taskParams).toEqual({ __typename: 'FindDuplicatesParams', byContent: false });
    const done = await finished(t.url, created.id);
    expect(done.status).toBe('COMPLETED');
    expect(done.taskResult).toMatchObject({ byContent: false, tracksScanned: 8, duplicateGroups: 2, duplicateFiles: 2 });
    const groups = done.taskResult?.__typename === 'FindDuplicatesResult' ? done.taskResult.groups : [];
    expect(groups.map((g) => g.method)).toEqual(['metadata', 'metadata']);
    expect(groups.map((g) => g.paths).sort()).toEqual([
      ['Incoming/Roads (copy).wav', 'Portishead/Dummy/05 Roads.wav'],
      ['Incoming/glory_box.wav', 'Portishead/Dummy/11 Glory Box.wav'],
    ]);
  });
});

describe('task parameters', () => {
  it('refuses a folder outside the library as a typed error naming the field, and creates nothing', async () => {
    const before = await jobCount(t.url);
    const up = await create(t.url, { jobType: 'LIBRARY_SCAN', libraryScan: { folder: 'Incoming/../../..' } });
    expect(up).toEqual({ __typename: 'InvalidArgumentError', argument: 'libraryScan.folder', message: 'folder must stay inside the library ("Incoming/../../.." leads out of it)' });
    const abs = await create(t.url, { jobType: 'LIBRARY_SCAN', libraryScan: { folder: '/etc' } });
    expect(abs).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'libraryScan.folder' });
    expect(abs.message).toMatch(/not an absolute path/);
    expect(await jobCount(t.url)).toBe(before);
  });

  it('refuses parameters of the wrong type or for another job type, and creates nothing', async () => {
    const before = await jobCount(t.url);
    // the schema types the inputs: a wrong type never reaches the task center
    const wrongType = await gqlRaw(t.url, CREATE, { input: { jobType: 'LIBRARY_SCAN', libraryScan: { readTags: 'yes' } } });
    expect(wrongType.body.data ?? null).toBeNull();
    expect(wrongType.body.errors?.[0]?.message).toMatch(/readTags/);
    const wrongType2 = await gqlRaw(t.url, CREATE, { input: { jobType: 'FIND_DUPLICATES', findDuplicates: { byContent: 1 } } });
    expect(wrongType2.body.errors?.[0]?.message).toMatch(/byContent/);
    expect(await create(t.url, { jobType: 'LIBRARY_SCAN', findDuplicates: { byContent: false } })).toEqual({
      __typename: 'InvalidArgumentError',
      argument: 'findDuplicates',
      message: 'findDuplicates parameters do not apply to a LIBRARY_SCAN job',
    });
    expect(await create(t.url, { jobType: 'SYNC_ONLY', libraryScan: {} })).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'libraryScan' });
    expect(await create(t.url, { jobType: 'FIND_DUPLICATES', playlistIds: ['3'] })).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'playlistIds' });
    expect(await jobCount(t.url)).toBe(before);
  });

  it('takes an explicit null as "not given"', async () => {
    const created = await createOk(t.url, { jobType: 'LIBRARY_SCAN', libraryScan: { folder: null, readTags: null } });
    expect(created.taskParams).toEqual({ __typename: 'LibraryScanParams', folder: null, readTags: true });
    expect((await finished(t.url, created.id)).status).toBe('COMPLETED');
  });

  it('shows no task fields on other jobs', async () => {
    const other = await createOk(t.url, { jobType: 'COLLECT_ONLY' });
    expect(other).toMatchObject({ taskParams: null, taskResult: null });
    const done = await finished(t.url, other.id);
    expect(done).toMatchObject({ status: 'COMPLETED', taskParams: null, taskResult: null });
    expect(done.durationMs).toBeGreaterThanOrEqual(0);
  });
});

describe('a running task', () => {
  it('stops promptly when the job is cancelled', async () => {
    const app = await startTestApp({ env: { ROADIE_AUTOSTART: 'false' } });
    onTestFinished(() => app.stop());
    // a sparse 8 GiB "track": hashing it takes many seconds, so only an abort ends it soon
    const big = path.join(app.dataDir, 'library', 'big.flac');
    await fs.writeFile(big, '');
    await fs.truncate(big, 8 * 1024 ** 3);
    const created = await createOk(app.url, { jobType: 'FIND_DUPLICATES' });
    await waitFor(() => job(app.url, created.id), (j) => j.items.edges[0]?.node.status === 'RUNNING', 'the task item running');
    await new Promise((r) => setTimeout(r, 200)); // well into the hashing
    const cancelAt = performance.now();
    expect((await jobCommand(app.url, 'cancelJob', created.id)).__typename).toBe('JobPayload');
    const done = await finished(app.url, created.id, 5000);
    expect(done.status).toBe('CANCELED');
    expect(performance.now() - cancelAt).toBeLessThan(3000);
    expect(done.taskResult).toBeNull();
    expect(done.items.edges[0]?.node.status).toBe('CANCELED');
  });
});
