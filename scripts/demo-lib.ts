/**
 * The building blocks of `npm run demo` (scripts/demo.ts), kept apart so a test can run them
 * without the SPA build: a small throttled HTTP server of generated songs, the playlist files that
 * point at it, and the GraphQL calls that hand them to Roadie (add the folder as a source, mark
 * its playlists wanted, start one Sync Then Download job) and follow that job.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { libraryPath } from '../server/domain/library/naming.js';
import { buildWav } from '../server/domain/library/wav.js';

// ---- the songs ---------------------------------------------------------------------------

/** One made-up song; `tagged: false` ones are served without RIFF INFO tags. */
export interface DemoSongSpec {
  readonly artist: string;
  readonly album: string;
  readonly trackNumber: number;
  readonly title: string;
  readonly seconds: number;
  readonly toneHz: number;
  readonly tagged: boolean;
}

/** 22050 Hz, 8-bit mono: 22,050 bytes a second of audio, so 24–38 s make files of 0.5–0.85 MB. */
export const DEMO_SAMPLE_RATE = 22_050;

export const DEMO_SONGS: readonly DemoSongSpec[] = [
  { artist: 'The Lantern Keepers', album: 'Harbor Lights', trackNumber: 1, title: 'Tidewater', seconds: 31, toneHz: 220, tagged: true },
  { artist: 'The Lantern Keepers', album: 'Harbor Lights', trackNumber: 2, title: 'Fog Signal', seconds: 27, toneHz: 246.94, tagged: false },
  { artist: 'The Lantern Keepers', album: 'Harbor Lights', trackNumber: 3, title: 'Salt on the Rope', seconds: 35, toneHz: 261.63, tagged: true },
  { artist: 'The Lantern Keepers', album: 'Harbor Lights', trackNumber: 4, title: 'Last Ferry Home', seconds: 38, toneHz: 293.66, tagged: true },
  { artist: 'Mira Solace', album: 'Glass Orchard', trackNumber: 1, title: 'Paper Boats', seconds: 29, toneHz: 329.63, tagged: true },
  { artist: 'Mira Solace', album: 'Glass Orchard', trackNumber: 2, title: 'Orchard in Winter', seconds: 33, toneHz: 349.23, tagged: false },
  { artist: 'Mira Solace', album: 'Glass Orchard', trackNumber: 3, title: 'Quiet Engine', seconds: 24, toneHz: 392, tagged: true },
  { artist: 'Copper Tide', album: 'Low Static', trackNumber: 1, title: 'Radio Silence', seconds: 36, toneHz: 440, tagged: true },
  { artist: 'Copper Tide', album: 'Low Static', trackNumber: 2, title: 'Night Bus', seconds: 26, toneHz: 493.88, tagged: true },
  { artist: 'Copper Tide', album: 'Low Static', trackNumber: 3, title: 'Static Bloom', seconds: 30, toneHz: 523.25, tagged: false },
];

/** A song as the demo server has it. */
export interface DemoSong extends DemoSongSpec {
  /** Its path on the demo server, e.g. /songs/mira-solace-paper-boats.wav */
  readonly urlPath: string;
  readonly bytes: Buffer;
  readonly sha256: string;
  /** A strong ETag (so Roadie's resume can send If-Range). */
  readonly etag: string;
  /** Where Roadie files it: Artist/Album/NN Title.wav under the library. */
  readonly libraryPath: string;
}

const slug = (s: string): string =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

let built: readonly DemoSong[] | null = null;

/** The demo's songs, generated once per process with Roadie's own WAV builder (the same bytes every run). */
export function demoSongs(): readonly DemoSong[] {
  built ??= DEMO_SONGS.map((spec) => {
    const tags = spec.tagged ? { artist: spec.artist, title: spec.title, album: spec.album, trackNumber: spec.trackNumber } : {};
    const bytes = buildWav({ ...tags, seconds: spec.seconds, sampleRate: DEMO_SAMPLE_RATE, toneHz: spec.toneHz });
    const sha256 = createHash('sha256').update(bytes).digest('hex');
    return {
      ...spec,
      urlPath: `/songs/${slug(`${spec.artist} ${spec.title}`)}.wav`,
      bytes,
      sha256,
      etag: `"${sha256.slice(0, 32)}"`,
      libraryPath: libraryPath({ artist: spec.artist, album: spec.album, title: spec.title, trackNumber: spec.trackNumber }, 'wav'),
    };
  });
  return built;
}

const songNamed = (title: string): DemoSong => {
  const song = demoSongs().find((s) => s.title === title);
  if (!song) throw new Error(`no demo song "${title}"`);
  return song;
};

// ---- the server --------------------------------------------------------------------------

export interface DemoServerOptions {
  /** Per connection; 0 (or Infinity) sends at full speed. Default 400 KiB/s. */
  bytesPerSecond?: number;
  /** Try this port first (the one an earlier run's playlists point at); a free one when it is taken. */
  preferredPort?: number | null;
  host?: string;
}

export interface DemoServer {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly port: number;
  readonly songs: readonly DemoSong[];
  /** GET requests answered so far (206 ones included). */
  readonly requests: () => number;
  close(): Promise<void>;
}

export const DEFAULT_BYTES_PER_SECOND = 400 * 1024;
const LAST_MODIFIED = new Date(Date.UTC(2026, 0, 1)).toUTCString();

/** One `bytes=` range of a file of `size` bytes: [start, end] inclusive, 'unsatisfiable', or null to send it whole. */
export function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | null {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header?.trim() ?? '');
  if (!m || (m[1] === '' && m[2] === '')) return null; // none, several ranges or nonsense: the whole file
  if (m[1] === '') {
    const suffix = Number(m[2]); // bytes=-N: the last N bytes
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/** Writes `body` at about `bytesPerSecond`, a small chunk at a time; stops when the client goes. */
async function sendThrottled(res: http.ServerResponse, body: Buffer, bytesPerSecond: number): Promise<void> {
  if (!(bytesPerSecond > 0) || !Number.isFinite(bytesPerSecond)) {
    res.end(body);
    return;
  }
  const chunk = Math.max(1024, Math.min(64 * 1024, Math.round(bytesPerSecond / 20))); // ~20 writes a second
  const began = performance.now();
  let sent = 0;
  while (sent < body.length) {
    if (res.destroyed) return;
    const piece = body.subarray(sent, sent + chunk);
    sent += piece.length;
    if (!res.write(piece)) {
      await new Promise<void>((resolve) => {
        const done = (): void => {
          res.off('drain', done);
          res.off('close', done);
          resolve();
        };
        res.once('drain', done);
        res.once('close', done);
      });
    }
    const wait = began + (sent / bytesPerSecond) * 1000 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  if (!res.destroyed) res.end();
}

async function listenOn(server: http.Server, port: number, host: string): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => {
      server.off('listening', onListening);
      reject(err);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(port, host);
  });
}

/**
 * Serves the demo songs at /songs/… (GET and HEAD) with Content-Length, a strong ETag,
 * Last-Modified and single byte ranges (206, If-Range honoured, 416 past the end), throttled per
 * connection so a download takes a couple of seconds and its speed shows.
 */
export async function startDemoServer(opts: DemoServerOptions = {}): Promise<DemoServer> {
  const rate = opts.bytesPerSecond ?? DEFAULT_BYTES_PER_SECOND;
  const host = opts.host ?? '127.0.0.1';
  const songs = demoSongs();
  const byPath = new Map(songs.map((s) => [s.urlPath, s]));
  let requests = 0;
  const server = http.createServer((req, res) => {
    res.on('error', () => undefined); // a client that hangs up is no error of ours
    const song = byPath.get(new URL(req.url ?? '/', 'http://demo').pathname);
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (!song) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not here\n');
      return;
    }
    requests++;
    const size = song.bytes.length;
    const common = { 'content-type': 'audio/wav', 'accept-ranges': 'bytes', etag: song.etag, 'last-modified': LAST_MODIFIED, 'cache-control': 'no-store' };
    // If-Range: the range only applies while the file is the one the client has (else it comes whole)
    const ifRange = req.headers['if-range'];
    const rangeApplies = ifRange === undefined || ifRange === song.etag || ifRange === LAST_MODIFIED;
    const range = rangeApplies ? parseRange(req.headers.range, size) : null;
    if (range === 'unsatisfiable') {
      res.writeHead(416, { ...common, 'content-range': `bytes */${size}`, 'content-length': 0 }).end();
      return;
    }
    const body = range ? song.bytes.subarray(range.start, range.end + 1) : song.bytes;
    res.writeHead(range ? 206 : 200, {
      ...common,
      'content-length': body.length,
      ...(range ? { 'content-range': `bytes ${range.start}-${range.end}/${size}` } : {}),
    });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    void sendThrottled(res, body, rate).catch(() => res.destroy());
  });
  const preferred = opts.preferredPort ?? 0;
  try {
    await listenOn(server, preferred, host);
  } catch (err) {
    if (preferred === 0 || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
    await listenOn(server, 0, host); // the earlier run's port is taken: any free one
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    songs,
    requests: () => requests,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---- the playlists -----------------------------------------------------------------------

/** The playlist files the demo writes (names in the playlists folder). */
export const DEMO_PLAYLIST_FILES = ['Road Trip.json', 'Late Night.m3u8', 'Low Static.m3u8'] as const;

/** Roadie's JSON format: album, track number, size and SHA-256, so each download is verified. Holds the untagged songs. */
const ROAD_TRIP = ['Tidewater', 'Fog Signal', 'Paper Boats', 'Orchard in Winter', 'Radio Silence', 'Static Bloom'];
/** M3U8 with "#EXTINF:seconds,Artist - Title" lines (Paper Boats is on Road Trip too: one song, two entries). */
const LATE_NIGHT = ['Salt on the Rope', 'Last Ferry Home', 'Paper Boats', 'Quiet Engine', 'Night Bus'];
/** An album as M3U8 with #EXTALB. */
const LOW_STATIC = ['Radio Silence', 'Night Bus', 'Static Bloom'];

async function writeFileAtomic(file: string, text: string): Promise<void> {
  const tmp = `${file}.${process.pid}.tmp`; // not a playlist extension: a collect running now skips it
  await fs.writeFile(tmp, text);
  await fs.rename(tmp, file);
}

/** Writes the demo's playlists into `dir` (created if needed), pointing at `baseUrl`; returns their paths. */
export async function writeDemoPlaylists(dir: string, baseUrl: string): Promise<string[]> {
  await fs.mkdir(dir, { recursive: true });
  const at = (s: DemoSong): string => new URL(s.urlPath, baseUrl).href;
  const roadTrip = {
    name: 'Road Trip',
    description: 'Roadie JSON: album, track number, size and SHA-256 for every song; three files come without tags',
    tracks: ROAD_TRIP.map(songNamed).map((s) => ({
      title: s.title,
      artist: s.artist,
      album: s.album,
      durationSec: s.seconds,
      trackNumber: s.trackNumber,
      location: at(s),
      sizeBytes: s.bytes.length,
      sha256: s.sha256,
    })),
  };
  const m3u = (name: string, titles: string[], album?: string): string =>
    [
      '#EXTM3U',
      `#PLAYLIST:${name}`,
      ...titles.map(songNamed).flatMap((s) => [`#EXTINF:${s.seconds},${s.artist} - ${s.title}`, ...(album ? [`#EXTALB:${album}`] : []), at(s)]),
      '',
    ].join('\n');
  const texts: Record<(typeof DEMO_PLAYLIST_FILES)[number], string> = {
    'Road Trip.json': `${JSON.stringify(roadTrip, null, 2)}\n`,
    'Late Night.m3u8': m3u('Late Night', LATE_NIGHT),
    'Low Static.m3u8': m3u('Low Static', LOW_STATIC, 'Low Static'),
  };
  const files: string[] = [];
  for (const name of DEMO_PLAYLIST_FILES) {
    const file = path.join(dir, name);
    await writeFileAtomic(file, texts[name]);
    files.push(file);
  }
  return files;
}

/** The port the playlists of an earlier run point at (so a second run can serve the same URLs), or null. */
export async function previousDemoPort(dir: string): Promise<number | null> {
  try {
    const json = JSON.parse(await fs.readFile(path.join(dir, 'Road Trip.json'), 'utf8')) as { tracks?: { location?: unknown }[] };
    const location = json.tracks?.[0]?.location;
    const port = typeof location === 'string' ? Number(new URL(location).port) : NaN;
    return Number.isInteger(port) && port > 0 ? port : null;
  } catch {
    return null;
  }
}

// ---- talking to Roadie -------------------------------------------------------------------

/** POSTs one GraphQL operation to <url>/graphql; throws on HTTP or GraphQL errors. */
export async function demoGql<T>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL: ${body.errors.map((e) => e.message).join('; ')}`);
  if (!res.ok || !body.data) throw new Error(`GraphQL: HTTP ${res.status}`);
  return body.data;
}

export const FINAL_JOB_STATUSES: readonly string[] = ['COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'CANCELED'];

export interface DemoJob {
  jobId: number;
  status: string;
  durationMs: number | null;
  error: string | null;
  stages: { stageType: string; status: string; totalItems: number; succeededItems: number; failedItems: number; skippedItems: number }[];
  workers: { name: string; status: string; speedBytesPerSec: number | null; currentDisplayText: string | null; progressPercent: number | null }[];
}

const JOB_FIELDS = /* GraphQL */ `jobId status durationMs error
  stages { stageType status totalItems succeededItems failedItems skippedItems }
  workers { name status speedBytesPerSec currentDisplayText progressPercent }`;

export async function demoJob(url: string, jobId: number | string): Promise<DemoJob | null> {
  return (await demoGql<{ job: DemoJob | null }>(url, `query ($id: ID!) { job(id: $id) { ${JOB_FIELDS} } }`, { id: String(jobId) })).job;
}

interface SourceData {
  id: string;
  location: string;
  playlistCount: number;
  lastError: string | null;
}

interface PlaylistData {
  id: string;
  name: string;
  sourceId: string;
}

type Log = (line: string) => void;

export interface SeedOptions {
  /** Progress lines (default console.log). */
  log?: Log;
  /** How long to wait for the playlists to be read. Default 30 s. */
  timeoutMs?: number;
}

export interface SeedResult {
  sourceId: string;
  /** False when the folder was a source already (a second run). */
  sourceAdded: boolean;
  playlists: { id: string; name: string }[];
  /** The Sync Then Download job. */
  jobId: number;
}

/**
 * Through Roadie's GraphQL: adds `playlistsDir` as a source (a folder that is one already is
 * fine), waits until its playlists have been read, marks them wanted and starts one Sync Then
 * Download job for them.
 */
export async function seedDemo(url: string, playlistsDir: string, opts: SeedOptions = {}): Promise<SeedResult> {
  const log = opts.log ?? console.log;
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  const location = path.resolve(playlistsDir);

  type Added =
    | { __typename: 'AddPlaylistSourcePayload'; source: SourceData; collectJobId: string | null }
    | { __typename: 'InvalidArgumentError'; argument: string; message: string };
  const { addPlaylistSource: added } = await demoGql<{ addPlaylistSource: Added }>(
    url,
    `mutation ($location: String!) {
      addPlaylistSource(location: $location) {
        __typename
        ... on AddPlaylistSourcePayload { source { id location playlistCount lastError } collectJobId }
        ... on InvalidArgumentError { argument message }
      }
    }`,
    { location },
  );
  let source: SourceData;
  let sourceAdded: boolean;
  if (added.__typename === 'AddPlaylistSourcePayload') {
    source = added.source;
    sourceAdded = true;
    log(`Added ${location} as a playlist source; collect job #${added.collectJobId ?? '?'} reads it`);
    if (added.collectJobId) {
      for (;;) {
        const job = await demoJob(url, added.collectJobId);
        if (job && FINAL_JOB_STATUSES.includes(job.status)) {
          log(`Collect job #${job.jobId}: ${job.status.toLowerCase()}`);
          break;
        }
        if (Date.now() > deadline) throw new Error(`collect job #${added.collectJobId} did not finish in time`);
        await sleep(200);
      }
    }
  } else if (/is a source already/.test(added.message)) {
    const { playlistSources } = await demoGql<{ playlistSources: SourceData[] }>(url, `{ playlistSources { id location playlistCount lastError } }`);
    const found = playlistSources.find((s) => s.location === location);
    if (!found) throw new Error(`Roadie says ${location} is a source already, but does not list it`);
    source = found;
    sourceAdded = false;
    log(`${location} is a playlist source already (an earlier run); continuing`);
  } else {
    throw new Error(`addPlaylistSource refused ${location}: ${added.message}`);
  }

  // the playlists of this source (on a second run they may still wait for a collect a stop interrupted)
  let playlists: PlaylistData[] = [];
  for (;;) {
    const d = await demoGql<{ playlists: { edges: { node: PlaylistData }[] }; playlistSources: SourceData[] }>(
      url,
      `{ playlists(first: 100) { edges { node { id name sourceId } } } playlistSources { id location playlistCount lastError } }`,
    );
    playlists = d.playlists.edges.map((e) => e.node).filter((p) => p.sourceId === source.id);
    const now = d.playlistSources.find((s) => s.id === source.id);
    if (now?.lastError) log(`Roadie could not read everything in ${location}: ${now.lastError}`);
    if (playlists.length >= DEMO_PLAYLIST_FILES.length || (playlists.length > 0 && now?.lastError)) break;
    if (Date.now() > deadline) {
      if (playlists.length > 0) break;
      throw new Error(`no playlists were read from ${location}${now?.lastError ? `: ${now.lastError}` : ''}`);
    }
    await sleep(200);
  }
  log(`Found ${playlists.length} playlists: ${playlists.map((p) => p.name).join(', ')}`);
  const ids = playlists.map((p) => p.id);

  type Wanted = { __typename: 'PlaylistsPayload'; playlists: { id: string }[] } | { __typename: 'InvalidArgumentError'; message: string };
  const { setPlaylistsWanted: wanted } = await demoGql<{ setPlaylistsWanted: Wanted }>(
    url,
    `mutation ($ids: [ID!]!) {
      setPlaylistsWanted(playlistIds: $ids, wanted: true) {
        __typename
        ... on PlaylistsPayload { playlists { id } }
        ... on InvalidArgumentError { message }
      }
    }`,
    { ids },
  );
  if (wanted.__typename !== 'PlaylistsPayload') throw new Error(`setPlaylistsWanted refused: ${wanted.message}`);
  log(`Marked them wanted`);

  type Started = { __typename: 'JobPayload'; job: { jobId: number; status: string } } | { __typename: string; message: string };
  const { syncThenDownloadPlaylists: started } = await demoGql<{ syncThenDownloadPlaylists: Started }>(
    url,
    `mutation ($ids: [ID!]!) {
      syncThenDownloadPlaylists(playlistIds: $ids) {
        __typename
        ... on JobPayload { job { jobId status } }
        ... on Error { message }
      }
    }`,
    { ids },
  );
  if (!('job' in started)) throw new Error(`syncThenDownloadPlaylists refused: ${started.message}`);
  log(`Started Sync Then Download: job #${started.job.jobId} (${started.job.status.toLowerCase()})`);
  if (started.job.status === 'QUEUED') {
    // the download lane runs one job at a time: say what goes first (e.g. an earlier run's job, resumed)
    const { taskCenter } = await demoGql<{ taskCenter: { edges: { node: { jobId: number; status: string; lane: string; displayName: string } }[] } }>(
      url,
      `{ taskCenter(first: 20) { edges { node { jobId status lane displayName } } } }`,
    );
    const ahead = taskCenter.edges.map((e) => e.node).filter((r) => r.lane === 'download' && r.status === 'RUNNING' && r.jobId !== started.job.jobId);
    for (const r of ahead) log(`  it waits for job #${r.jobId} (${r.displayName}, still running — e.g. resumed from an earlier run): the download lane runs one job at a time`);
  }
  return { sourceId: source.id, sourceAdded, playlists: playlists.map(({ id, name }) => ({ id, name })), jobId: started.job.jobId };
}

export interface WatchOptions {
  /** A line whenever the job moves on (default: nothing). */
  log?: Log;
  timeoutMs?: number;
  intervalMs?: number;
  /** Stop watching early (e.g. Ctrl-C); resolves with the job as last seen. */
  signal?: AbortSignal;
}

const kb = (bytesPerSec: number): string => `${Math.round(bytesPerSec / 1024)} KB/s`;

/** One short line: what each stage has done, the speed and what the download workers are on. */
export function describeJob(job: DemoJob): string {
  const stages = job.stages.map((s) => {
    const done = s.succeededItems + s.failedItems + s.skippedItems;
    const failed = s.failedItems > 0 ? ` (${s.failedItems} failed)` : '';
    return `${s.stageType.toLowerCase()} ${done}/${s.totalItems}${failed}`;
  });
  const busy = job.workers.filter((w) => w.status === 'busy' && w.currentDisplayText);
  const speed = busy.reduce((n, w) => n + (w.speedBytesPerSec ?? 0), 0);
  const on = busy.map((w) => `${w.name}: ${w.currentDisplayText}${w.progressPercent === null ? '' : ` ${Math.round(w.progressPercent)}%`}`);
  return [job.status.toLowerCase(), ...stages, ...(speed > 0 ? [kb(speed)] : []), ...on].join(' · ');
}

/** Polls job(id) until it is final (or the signal aborts); logs a line when something changed. */
export async function waitForDemoJob(url: string, jobId: number, opts: WatchOptions = {}): Promise<DemoJob> {
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  let last = '';
  let lastAt = 0;
  for (;;) {
    const job = await demoJob(url, jobId);
    if (!job) throw new Error(`job #${jobId} is gone`);
    const line = describeJob(job);
    // a changed line at most once a second (speeds change all the time), and always the final one
    const final = FINAL_JOB_STATUSES.includes(job.status);
    if (line !== last && (final || Date.now() - lastAt >= 1000)) {
      opts.log?.(line);
      last = line;
      lastAt = Date.now();
    }
    if (final || opts.signal?.aborted) return job;
    if (Date.now() > deadline) throw new Error(`job #${jobId} is still ${job.status.toLowerCase()} after ${(opts.timeoutMs ?? 120_000) / 1000} s`);
    await sleep(opts.intervalMs ?? 250);
  }
}
