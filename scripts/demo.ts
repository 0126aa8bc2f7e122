/**
 * `npm run demo`: Roadie at work within a minute, on nothing but this machine. Generates ten
 * songs (three of them without tags), serves them throttled from a small local HTTP server,
 * writes three playlists pointing at it into a demo data folder, starts Roadie on that folder and,
 * through Roadie's own GraphQL API, adds the playlists, marks them wanted and starts one Sync Then
 * Download job — then follows it until every song is filed, and keeps running until Ctrl-C.
 *
 * Data folder: ./data-demo, or ROADIE_DATA_DIR. Port: PORT (default 4000; 0 picks a free one).
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildApp, type App } from '../server/app.js';
import { ConfigError, loadConfig } from '../server/config.js';
import {
  DEFAULT_BYTES_PER_SECOND,
  DEMO_PLAYLIST_FILES,
  previousDemoPort,
  seedDemo,
  startDemoServer,
  waitForDemoJob,
  writeDemoPlaylists,
  type DemoServer,
} from './demo-lib.js';

const SHUTDOWN_DEADLINE_MS = 10_000;
const began = performance.now();
const elapsed = (): string => `${((performance.now() - began) / 1000).toFixed(1)} s`;
const say = (line: string): void => console.log(`[demo ${elapsed().padStart(6)}] ${line}`);

const dataDir = path.resolve(process.env.ROADIE_DATA_DIR ?? 'data-demo');
const playlistsDir = path.join(dataDir, 'playlists');
const spaBuilt = fs.existsSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist/index.html'));

let config;
try {
  // the demo's folder and port; everything else (HOST, ROADIE_LOG_LEVEL …) as Roadie reads it
  config = loadConfig({ ...process.env, ROADIE_DATA_DIR: dataDir, PORT: process.env.PORT ?? '4000' });
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG, as Roadie itself
  }
  throw err;
}

let server: DemoServer | null = null;
let app: App | null = null;
const watching = new AbortController();
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    watching.abort();
    const deadline = setTimeout(() => {
      console.error(`the demo did not stop within ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    try {
      await app?.stop(); // Roadie first: its downloads stop at a checkpoint, not at a vanished server
      await server?.close();
      say('stopped Roadie and the demo music server');
    } catch (err) {
      console.error('error while stopping', err);
      code = 1;
    }
  }
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void shutdown(0));

try {
  say(`data folder: ${dataDir}`);
  server = await startDemoServer({ bytesPerSecond: DEFAULT_BYTES_PER_SECOND, preferredPort: await previousDemoPort(playlistsDir) });
  const totalBytes = server.songs.reduce((n, s) => n + s.bytes.length, 0);
  const untagged = server.songs.filter((s) => !s.tagged);
  say(
    `demo music server at ${server.url}/songs/: ${server.songs.length} generated WAV songs (${(totalBytes / 1e6).toFixed(1)} MB), ` +
      `${Math.round(DEFAULT_BYTES_PER_SECOND / 1024)} KB/s per connection, Range/ETag for resume`,
  );
  say(`  without tags (post-processing fills them from the playlist): ${untagged.map((s) => `${s.artist} – ${s.title}`).join(', ')}`);
  await writeDemoPlaylists(playlistsDir, server.url);
  say(`wrote ${DEMO_PLAYLIST_FILES.join(', ')} to ${playlistsDir}`);

  app = await buildApp(config);
  const { url } = await app.start();
  if (stopping) await new Promise(() => undefined); // Ctrl-C during start-up: shutdown() exits
  say(`Roadie is running at ${url}/ (GraphiQL at ${url}/graphql)${spaBuilt ? '' : ' — the app page needs `npm run build:web` (npm run demo does it)'}`);

  const seed = await seedDemo(url, playlistsDir, { log: say });
  say(`open ${url}/#/jobs/${seed.jobId} to watch the task center (live speed per worker), ${url}/#/workers for post-processing`);

  const job = await waitForDemoJob(url, seed.jobId, { log: (line) => say(`job #${seed.jobId}: ${line}`), signal: watching.signal, timeoutMs: 10 * 60_000 });
  if (!stopping) {
    const download = job.stages.find((s) => s.stageType === 'DOWNLOAD');
    const filed = download?.succeededItems ?? 0;
    if (download && download.totalItems === 0) {
      say(`nothing to download: every song is in the library already (remove ${dataDir} to watch it all again)`);
    } else {
      say(`job #${job.jobId} ${job.status.toLowerCase()}: ${filed} of ${download?.totalItems ?? 0} songs downloaded and filed${job.error ? ` (${job.error})` : ''}`);
    }
    say(`library ${config.libraryDir}:`);
    const files = fs.readdirSync(config.libraryDir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.wav')).sort();
    const wasUntagged = new Set(untagged.map((s) => s.libraryPath));
    for (const f of files) say(`  ${f}${wasUntagged.has(f.split(path.sep).join('/')) ? '   ← came without tags; tagged from the playlist' : ''}`);
    say(`Roadie keeps running at ${url}/ — Ctrl-C to stop`);
  }
} catch (err) {
  if (!stopping) {
    console.error(`the demo failed: ${err instanceof Error ? err.message : String(err)}`);
    if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') console.error(`port ${config.port} is taken: try PORT=0 npm run demo (any free port)`);
    await shutdown(1);
  }
}
