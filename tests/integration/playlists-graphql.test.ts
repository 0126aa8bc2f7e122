import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from 'vitest';
import { appPerTest, gql } from '../helpers/app.js';
import { FINAL_STATUSES, JOB_RESULT_FIELDS, waitForJob, type JobResultData } from '../helpers/jobs.js';
import { ADD_SOURCE, addSource, playlists, type AddResult } from '../helpers/playlists.js';
import { controlOk, getWorker } from '../helpers/graphql.js';
import { waitFor } from '../helpers/jobs.js';
import { subscribeWs } from '../helpers/ws.js';

const apps = appPerTest();
let music: string;

beforeEach(async () => {
  music = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-playlists-'));
});
afterEach(async () => {
  await fs.rm(music, { recursive: true, force: true });
});

async function taskRowCount(url: string): Promise<number> {
  const d = await gql<{ taskCenter: { edges: unknown[] } }>(url, `{ taskCenter(first: 200) { edges { cursor } } }`);
  return d.taskCenter.edges.length;
}

const bulk = (name: string) => /* GraphQL */ `mutation ($ids: [ID!]!) { ${name}(playlistIds: $ids) { ${JOB_RESULT_FIELDS} } }`;

describe('playlists over GraphQL', () => {
  it('adds a folder source, collects its playlists, syncs the chosen ones and counts their songs', async () => {
    await fs.writeFile(
      path.join(music, 'road trip.m3u8'),
      ['#EXTM3U', '#PLAYLIST:Road Trip', '#EXTINF:200,Artist A - One', 'songs/one.mp3', '#EXTINF:180,Artist B - Two', 'http://127.0.0.1:9/two.flac', 'songs/one.mp3', ''].join('\n'),
    );
    await fs.writeFile(path.join(music, 'chill.pls'), ['[playlist]', 'File1=/srv/x.ogg', 'Title1=X', 'NumberOfEntries=1', 'Version=2', ''].join('\n'));
    await fs.writeFile(path.join(music, 'notes.txt'), 'not a playlist');
    const t = await apps.start();

    const { jobStatus } = await addSource(t.url, music);
    expect(jobStatus).toBe('COMPLETED');
    const before = await playlists(t.url);
    expect(before.map((p) => [p.name, p.songCount, p.lastSyncedAt])).toEqual([
      ['chill', 0, null],
      ['Road Trip', 0, null],
    ]);

    const road = before.find((p) => p.name === 'Road Trip')!;
    const r = (await gql<{ syncSelectedPlaylists: JobResultData }>(t.url, bulk('syncSelectedPlaylists'), { ids: [road.id] })).syncSelectedPlaylists;
    expect(r.__typename).toBe('JobPayload');
    expect(r.job).toMatchObject({ jobType: 'SYNC_ONLY' });
    const done = await waitForJob(t.url, r.job!.id, (j) => FINAL_STATUSES.includes(j.status), 'sync finished');
    expect(done.status).toBe('COMPLETED');
    expect(done.stages[0]).toMatchObject({ stageType: 'SYNC', totalItems: 1, succeededItems: 1 });

    const after = await playlists(t.url);
    expect(after.find((p) => p.id === road.id)).toMatchObject({ songCount: 3, distinctSongCount: 2, downloadedSongCount: 0 });
    expect(after.find((p) => p.id === road.id)!.lastSyncedAt).not.toBeNull();
    expect(after.find((p) => p.name === 'chill')).toMatchObject({ songCount: 0, lastSyncedAt: null });
  });

  it('refuses an empty list or an unknown id with a typed error and creates no job', async () => {
    await fs.writeFile(path.join(music, 'a.m3u'), '/srv/a.mp3\n');
    const t = await apps.start();
    await addSource(t.url, path.join(music, 'a.m3u'));
    const [known] = await playlists(t.url);
    const rows = await taskRowCount(t.url);
    for (const name of ['syncSelectedPlaylists', 'downloadSelectedPlaylists', 'syncThenDownloadPlaylists']) {
      const empty = (await gql<Record<string, JobResultData>>(t.url, bulk(name), { ids: [] }))[name]!;
      expect(empty).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'playlistIds' });
      const unknown = (await gql<Record<string, JobResultData>>(t.url, bulk(name), { ids: [known!.id, '99999', 'nonsense'] }))[name]!;
      expect(unknown).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'playlistIds' });
      expect(unknown.message).toContain('99999');
    }
    const wanted = await gql<{ setPlaylistsWanted: { __typename: string } }>(
      t.url,
      `mutation { setPlaylistsWanted(playlistIds: ["424242"], wanted: true) { __typename } }`,
    );
    expect(wanted.setPlaylistsWanted.__typename).toBe('InvalidArgumentError');
    expect(await taskRowCount(t.url)).toBe(rows);
  });

  it('names the line of a malformed file, imports nothing from it, and fails the collect item as invalid_file', async () => {
    await fs.writeFile(path.join(music, 'bad.pls'), ['[playlist]', 'File1=/srv/a.mp3', 'File3=/srv/c.mp3', 'NumberOfEntries=2', ''].join('\n'));
    const t = await apps.start();
    const { jobStatus } = await addSource(t.url, path.join(music, 'bad.pls'));
    expect(jobStatus).toBe('FAILED');
    const d = await gql<{ playlistSources: { location: string; lastError: string | null; playlistCount: number }[] }>(
      t.url,
      `{ playlistSources { location lastError playlistCount } }`,
    );
    expect(d.playlistSources).toHaveLength(1);
    expect(d.playlistSources[0]!.lastError).toMatch(/bad\.pls: line \d+/);
    expect(d.playlistSources[0]!.playlistCount).toBe(0);
    expect(await playlists(t.url)).toEqual([]);
  });

  it('marks playlists wanted, removes a source with its playlists, and refuses bad locations', async () => {
    await fs.writeFile(path.join(music, 'a.m3u'), '/srv/a.mp3\n');
    const t = await apps.start();
    const { sourceId } = await addSource(t.url, path.join(music, 'a.m3u'));
    const [p] = await playlists(t.url);
    const w = await gql<{ setPlaylistsWanted: { playlists: { id: string; wanted: boolean }[] } }>(
      t.url,
      `mutation ($ids: [ID!]!) { setPlaylistsWanted(playlistIds: $ids, wanted: true) { ... on PlaylistsPayload { playlists { id wanted } } } }`,
      { ids: [p!.id] },
    );
    expect(w.setPlaylistsWanted.playlists).toEqual([{ id: p!.id, wanted: true }]);

    for (const location of ['relative/path.m3u', path.join(music, 'missing.m3u'), 'ftp://example.org/x.m3u', path.join(music, 'a.m3u')]) {
      const d = await gql<AddResult>(t.url, ADD_SOURCE, { location });
      expect(d.addPlaylistSource, location).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'location' });
    }

    // re-read on request: a renamed playlist (its #PLAYLIST line) follows
    await fs.writeFile(path.join(music, 'a.m3u'), '#EXTM3U\n#PLAYLIST:Renamed\n/srv/a.mp3\n');
    const reread = await gql<{ rereadPlaylistSource: { __typename: string; job?: { id: string } } }>(
      t.url,
      `mutation ($id: ID!) { rereadPlaylistSource(id: $id) { __typename ... on JobPayload { job { id } } } }`,
      { id: sourceId },
    );
    expect(reread.rereadPlaylistSource.__typename).toBe('JobPayload');
    await waitForJob(t.url, reread.rereadPlaylistSource.job!.id, (j) => j.status === 'COMPLETED', 'the re-read');
    expect((await playlists(t.url)).map((x) => x.name)).toEqual(['Renamed']);

    const removed = await gql<{ removePlaylistSource: { __typename: string } }>(t.url, `mutation ($id: ID!) { removePlaylistSource(id: $id) { __typename } }`, {
      id: sourceId,
    });
    expect(removed.removePlaylistSource.__typename).toBe('RemovePlaylistSourcePayload');
    expect(await playlists(t.url)).toEqual([]);
    const again = await gql<{ removePlaylistSource: { __typename: string } }>(t.url, `mutation ($id: ID!) { removePlaylistSource(id: $id) { __typename } }`, {
      id: sourceId,
    });
    expect(again.removePlaylistSource.__typename).toBe('PlaylistSourceNotFoundError');
  });

  it('the Spotify Sync daemon queues one sync-then-download of the wanted playlists (its local part) and links the job', async () => {
    await fs.writeFile(path.join(music, 'a.m3u'), '/srv/a.mp3\n');
    await fs.writeFile(path.join(music, 'b.m3u'), '/srv/b.mp3\n');
    const t = await apps.start();
    await addSource(t.url, music);
    const all = await playlists(t.url);
    await gql(t.url, `mutation ($ids: [ID!]!) { setPlaylistsWanted(playlistIds: $ids, wanted: true) { __typename } }`, { ids: [all[0]!.id] });
    const rows = await taskRowCount(t.url);
    await controlOk(t.url, 'runWorkerNow', { name: 'spotify_sync' });
    const w = await waitFor(() => getWorker(t.url, 'spotify_sync'), (x) => x?.activity?.jobId != null, 'the activity naming a job', 5000);
    expect(w!.activity!.message).toMatch(/1 wanted playlist\b/);
    const job = await waitForJob(t.url, w!.activity!.jobId!, (j) => FINAL_STATUSES.includes(j.status), 'the wanted sync to end', 10_000);
    expect(job).toMatchObject({ jobType: 'SYNC_DOWNLOAD' });
    expect(job.stages[0]).toMatchObject({ stageType: 'SYNC', totalItems: 1 }); // the wanted playlist only
    expect(await taskRowCount(t.url)).toBe(rows + 1);
  });

  it('watches a folder source: a new or edited playlist file is collected and synced without asking', async () => {
    await fs.mkdir(path.join(music, 'nested'));
    await fs.writeFile(path.join(music, 'first.m3u'), '/srv/a.mp3\n');
    const t = await apps.start();
    await addSource(t.url, music);
    expect((await playlists(t.url)).map((p) => p.name)).toEqual(['first']);
    await fs.writeFile(path.join(music, 'nested', 'second.m3u'), '/srv/b.mp3\n/srv/c.mp3\n');
    await fs.writeFile(path.join(music, 'ignored.txt'), 'not a playlist');
    const seen = await waitFor(
      () => playlists(t.url),
      (ps) => ps.some((p) => p.name === 'second' && p.songCount === 2),
      'the new playlist synced',
      10_000,
      100,
    );
    expect(seen.find((p) => p.name === 'first')!.songCount).toBe(1); // the folder's playlists are synced together
  });

  it('playlistsChanged says when playlists change: a source added and read, a sync, wanted flags', async () => {
    await fs.writeFile(path.join(music, 'a.m3u'), '/srv/a.mp3\n');
    const t = await apps.start();
    const sub = subscribeWs<{ playlistsChanged: { reason: string } }>(t.wsUrl, `subscription { playlistsChanged { reason at } }`);
    onTestFinished(() => sub.close());
    // no snapshot to wait for: add sources until the first event shows the subscription is live
    await waitFor(
      async () => {
        await gql(t.url, ADD_SOURCE, { location: path.join(music, 'a.m3u') });
        return sub.events.length;
      },
      (n) => n > 0,
      'a first event',
    );
    await sub.next((e) => e.playlistsChanged.reason === 'SOURCE_READ', 5000, 'the source read');
    const [p] = await playlists(t.url);
    await gql(t.url, `mutation ($ids: [ID!]!) { setPlaylistsWanted(playlistIds: $ids, wanted: true) { __typename } }`, { ids: [p!.id] });
    await sub.next((e) => e.playlistsChanged.reason === 'WANTED', 5000, 'wanted');
    await gql(t.url, `mutation ($ids: [ID!]!) { syncSelectedPlaylists(playlistIds: $ids) { __typename } }`, { ids: [p!.id] });
    await sub.next((e) => e.playlistsChanged.reason === 'SYNCED', 5000, 'synced');
  });
});
