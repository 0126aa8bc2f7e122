import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import { DaemonControls } from './daemons/controls.js';
import type { Daemon, DaemonEnv } from './daemons/base.js';
import { Orchestrator } from './daemons/orchestrator.js';
import { createDaemons } from './daemons/registry.js';
import { DaemonRepository } from './db/repositories/daemon.repository.js';
import { JobRepository } from './db/repositories/job.repository.js';
import { PlaylistRepository } from './db/repositories/playlist.repository.js';
import { PlaylistCenter } from './playlists/center.js';
import { collectWork, syncWork } from './playlists/stages.js';
import { downloadWork } from './playlists/download.js';
import { uploadWork } from './playlists/upload.js';
import { FolderWatcher } from './playlists/watch.js';
import { SettingsRepository } from './db/repositories/settings.repository.js';
import { DownloadControls } from './downloads/controls.js';
import { RateLimiter } from './downloads/rate-limiter.js';
import { PostProcessor } from './library/post-processor.js';
import { databaseReachable, openDatabase, type Orm } from './db/orm.js';
import { createEventBus, type EventBus } from './events/bus.js';
import type { PlaylistsChangeReason } from './events/topics.js';
import { createHttpServer, listen } from './http/server.js';
import { attachGraphQLWs } from './http/ws.js';
import { createYogaServer } from './http/yoga.js';
import { DEFAULT_LANE_LIMITS } from './domain/jobs/catalog.js';
import { TaskCenter } from './jobs/task-center.js';
import { createLogger } from './logger.js';
import { idleV8Workers } from './process/v8-workers.js';
import { createStageExecutors, type StageWork } from './runner/executors/index.js';
import type { StageType } from './domain/jobs/types.js';
import { JobRunner } from './runner/runner.js';
import { probeUrl, ServiceMonitor } from './services/service-monitor.js';
import { ServiceSettings } from './services/service-settings.js';
import { SoulseekRepository } from './db/repositories/soulseek.repository.js';
import { AutomationRepository } from './db/repositories/automation.repository.js';
import { automation, musicBrainzPlaylists } from './automation/service.js';
import { AutomationCenter } from './automation/center.js';
import { CoverArtClient } from './integrations/coverart.js';
import { qualityUpgrade } from './library/quality-upgrade.js';
import { soulseekMonitor } from './downloads/soulseek-monitor.js';
import { SpotifyAccountRepository } from './db/repositories/spotify-account.repository.js';
import { spotifyCallbackRoute } from './spotify/callback.js';
import { spotifySync } from './spotify/library.js';
import { spotifyPlaylists } from './spotify/playlists.js';
import { SpotifyLibraryRepository } from './db/repositories/spotify-library.repository.js';
import { SPOTIFY_CALLBACK_PATH, SpotifyConnection } from './spotify/connection.js';
import { DeezerClient } from './integrations/deezer.js';
import { ReleaseRepository } from './db/repositories/release.repository.js';
import { createTaskHandlers } from './tasks/index.js';

const SPA_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../web/dist');

export interface BuildOptions {
  /** Replaces the registered daemons (tests use small fakes); defaults to every Roadie daemon. */
  daemons?: (env: DaemonEnv) => Daemon[];
  /** Replaces the item work of stages (tests plug in handlers); defaults to Roadie's own. */
  stages?: Partial<Record<StageType, StageWork>>;
  logger?: Logger;
}

export interface App {
  readonly config: Config;
  readonly orchestrator: Orchestrator;
  readonly bus: EventBus;
  /** The database (tests count statements on it). */
  readonly orm: Orm;
  /** Opens the database, starts daemons and listens; resolves with the base URL. */
  start(): Promise<{ url: string; port: number }>;
  /** Stops daemons in reverse start order, closes connections and the database. */
  stop(): Promise<void>;
}

/** Wires config → database → event bus → runner → orchestrator → GraphQL → HTTP. The one place that does. */
export async function buildApp(config: Config, options: BuildOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config);
  await fs.mkdir(config.tempDir, { recursive: true });
  await fs.mkdir(config.libraryDir, { recursive: true });
  const orm: Orm = await openDatabase(config.dbFile);
  const bus = createEventBus();
  let ownUrl = `http://127.0.0.1:${config.port}`; // the real port once listening
  const spotify = new SpotifyConnection({
    config,
    repo: new SpotifyAccountRepository(orm.em),
    bus,
    logger: logger.child({ part: 'spotify' }),
    ownUrl: () => ownUrl,
  });
  const soulseekTransfers = new SoulseekRepository(orm.em);
  const settingsRepo = new SettingsRepository(orm.em);
  // slskd and MusicBrainz: the environment's values, or what was set in the SPA (applied without a restart)
  const connections = new ServiceSettings(config, settingsRepo, soulseekTransfers, bus);
  await connections.load();
  const services = new ServiceMonitor(() => connections.urls(), bus, logger.child({ part: 'services' }), {
    intervalSeconds: config.serviceProbeIntervalSeconds,
    timeoutMs: config.serviceProbeTimeoutMs,
    probes: {
      // slskd answers its application endpoint only with the API key: with one the probe asks it
      slskd: (signal: AbortSignal) => connections.slskdClient()?.application(signal) ?? probeUrl(connections.urls().slskd as string, signal),
      // with an account linked, Spotify is up when it answers /me with its token
      spotify: (signal: AbortSignal) => spotify.probe(signal),
    },
  });
  // a connect, a refresh or a revocation, or a changed connection, shows in the services panel at once
  const spotifyChanged = bus.subscribe('spotify:account');
  void (async () => {
    for await (const _ of spotifyChanged) void services.probeAll();
  })();
  const connectionsChanged = bus.subscribe('services:settings');
  void (async () => {
    for await (const _ of connectionsChanged) void services.probeAll();
  })();
  const jobs = new JobRepository(orm.em);
  await jobs.ensureLanes(DEFAULT_LANE_LIMITS);
  const playlistRepo = new PlaylistRepository(orm.em);
  const library = await playlistRepo.ensureDefaultBackend(config.libraryDir);
  const uploadRoot = config.uploadDir ? await playlistRepo.upsertBackend('upload', config.uploadDir) : null;
  const rateLimiter = new RateLimiter();
  const downloads = new DownloadControls(rateLimiter, settingsRepo, bus);
  await downloads.load();
  // the Cover Art Archive gives album folders their cover when a song's MusicBrainz release is known
  const coverArt = config.services.coverart
    ? new CoverArtClient({ baseUrl: config.services.coverart, userAgent: 'Roadie/0.1.0', ...(config.musicbrainz.contact ? { contact: config.musicbrainz.contact } : {}) })
    : null;
  const postProcessor = new PostProcessor(playlistRepo, () => library, coverArt);
  let taskCenter: TaskCenter | null = null;
  const stageDeps = {
    playlists: playlistRepo,
    event: (jobId: number, kind: string, data: Record<string, unknown>) => jobs.addEvent(jobId, kind, data),
    changed: (reason: PlaylistsChangeReason) => bus.publish('playlists:changed', { reason, at: new Date() }),
    remote: { spotify: spotifyPlaylists(() => spotify.api()), musicbrainz: musicBrainzPlaylists(() => connections.musicbrainzClient(), playlistRepo) },
  };
  // Roadie's own stage work; tests may replace any stage's
  const stages: Partial<Record<StageType, StageWork>> = {
    collect: collectWork(stageDeps),
    sync: syncWork(stageDeps),
    download: downloadWork({ playlists: playlistRepo, postProcessor, rateLimiter, incomingDir: path.join(config.tempDir, 'incoming'), soulseek: () => connections.soulseek() }),
    upload: uploadWork({ playlists: playlistRepo, from: () => library, to: () => uploadRoot }),
    ...options.stages,
  };
  const runner = new JobRunner(
    jobs,
    createStageExecutors(stages, createTaskHandlers({ libraryDir: config.libraryDir })),
    logger.child({ part: 'runner' }),
    // slots are written twice a second; their speed goes to subscribers four times a second
    { runnerId: `roadie-${process.pid}-${Date.now().toString(36)}`, heartbeatMs: 5000, progressWriteMs: 500, progressPublishMs: 250 },
    ({ jobId }) => taskCenter?.jobChanged(jobId),
    (report) => taskCenter?.progress(report),
  );
  const tasks = new TaskCenter(jobs, runner, bus, logger.child({ part: 'task-center' }), { rowMinIntervalMs: 250 });
  taskCenter = tasks;
  const playlists = new PlaylistCenter(playlistRepo, tasks, bus);
  tasks.checkPlaylistsWith((ids) => playlists.existing(ids));
  const watchLog = logger.child({ part: 'folder-watch' });
  const watcher = new FolderWatcher(
    (sourceId) =>
      void playlists
        .folderChanged(sourceId)
        .then((jobId) => jobId !== null && watchLog.info({ sourceId, jobId }, 'a watched folder changed: its playlists are collected again'))
        .catch((err: unknown) => watchLog.warn({ err, sourceId }, 'could not queue the collect of a watched folder')),
    (sourceId, err) => watchLog.warn({ err, sourceId }, 'cannot watch a folder source'),
  );
  const followSources = (): void =>
    void playlistRepo
      .sources()
      .then((sources) => watcher.follow(sources))
      .catch((err: unknown) => watchLog.warn({ err }, 'could not list the folder sources'));
  const sourcesChanged = bus.subscribe('playlists:changed');
  void (async () => {
    for await (const e of sourcesChanged) if (e.reason === 'sourceAdded' || e.reason === 'sourceRemoved') followSources();
  })();

  const releases = new ReleaseRepository(orm.em);
  const automationRepo = new AutomationRepository(orm.em);
  const deezer = config.services.deezer ? new DeezerClient({ baseUrl: config.services.deezer }) : null;

  const store = new DaemonRepository(orm.em);
  const orchestrator = new Orchestrator(store, bus, logger.child({ part: 'orchestrator' }), {
    restartBaseMs: config.daemonRestartBaseMs,
    activityMinIntervalMs: config.activityMinIntervalMs,
    stopTimeoutMs: 5000,
  });
  const env: DaemonEnv = {
    config,
    logger,
    services,
    spotify,
    // the daemon backs off on a 429 itself (its schedule): no retries inside a cycle
    spotifySync: spotifySync({ connection: spotify, api: () => spotify.api({ maxAttempts: 1 }), library: new SpotifyLibraryRepository(orm.em), playlists: playlistRepo, tasks }),
    jobs: {
      sweep: () => runner.sweep(),
      summary: () => tasks.summary(),
      reclaimStale: (ms) => tasks.reclaimStale(ms),
      retryDue: () => tasks.retryDue(),
      pruneFinished: async (ms) => (await tasks.pruneFinished(ms)).length,
      countFinished: (ms) => tasks.countFinishedBefore(ms),
      downloadTotals: () => tasks.downloadTotals(),
    },
    soulseek: soulseekMonitor(() => connections.soulseek()),
    automation: automation({ mb: () => connections.musicbrainzClient(), missing: () => connections.musicbrainzMissing(), repo: automationRepo, playlists: playlistRepo, tasks }),
    qualityUpgrade: qualityUpgrade({ soulseek: () => connections.soulseek(), missing: () => connections.soulseekMissing(), playlists: playlistRepo, library: () => library, incomingDir: path.join(config.tempDir, 'incoming'), minKbps: config.qualityMinKbps }),
    releases: {
      refreshDeezer: async (signal) => {
        if (!deezer) return null;
        const { items } = await deezer.newReleases({ signal });
        return releases.replace(
          'deezer',
          items.map((a) => ({ externalId: a.id, title: a.title, artist: a.artist?.name ?? null, releaseDate: a.releaseDate, recordType: a.recordType, link: a.link, coverUrl: a.coverUrl })),
        );
      },
      refreshSpotify: async (signal) => {
        if ((await spotify.view()).state !== 'CONNECTED') return null;
        const { items } = await spotify.api({ maxAttempts: 1 }).newReleases({ signal });
        return releases.replace(
          'spotify',
          items.flatMap((a) =>
            a.id === null
              ? []
              : [{ externalId: a.id, title: a.name, artist: a.artists.map((x) => x.name).join(', ') || null, releaseDate: a.releaseDate, recordType: a.albumType, link: a.externalUrl, coverUrl: a.imageUrl }],
          ),
        );
      },
    },
    library: {
      onFiled: (fn) => postProcessor.subscribe(fn),
      syncWanted: async (requestedBy) => {
        const ids = await playlistRepo.wantedIds();
        if (ids.length === 0) return { skipped: 'none wanted' };
        if (await tasks.hasLiveJob('sync_download', requestedBy)) return { skipped: 'already queued' };
        const r = await tasks.createJob({ jobType: 'sync_download', playlistIds: ids, requestedBy });
        if (!r.ok) throw new Error(r.error.message);
        return { jobId: r.job.jobId, playlists: ids.length };
      },
    },
  };
  postProcessor.subscribe((e) => e.ok && playlists.changed('downloaded'));
  // filing happens in the download stage, outside the daemon's cycle: its activity says what was filed
  postProcessor.subscribe((e) =>
    orchestrator.reportActivity('post_processing', e.ok ? `Filed ${e.track.relativePath}` : `Refused ${e.file}: ${e.error}`, {
      jobId: e.jobId === null ? null : String(e.jobId),
    }),
  );
  try {
    orchestrator.register((options.daemons ?? createDaemons)(env));
    await orchestrator.init();
  } catch (err) {
    await orm.close();
    throw err;
  }
  const controls = new DaemonControls(orchestrator, store, logger.child({ part: 'controls' }));


  const yoga = createYogaServer({ orchestrator, controls, services, taskCenter: tasks, playlists, downloads, releases: { list: (first) => releases.list(first) }, spotify, automation: new AutomationCenter(automationRepo, orchestrator, () => connections.musicbrainzMissing()), connections, bus }, { isDev: config.isDev, logger });
  const startedAt = Date.now();
  const server: Server = createHttpServer(
    yoga,
    {
      health: () => ({ status: 'ok', uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) }),
      ready: async () => {
        const database = await databaseReachable(orm);
        const { unhealthy } = orchestrator.overview();
        return { ready: startedUp && database && unhealthy.length === 0, startedUp, database, unhealthyDaemons: unhealthy };
      },
    },
    SPA_DIR,
    { [SPOTIFY_CALLBACK_PATH]: spotifyCallbackRoute(spotify, logger.child({ part: 'spotify' })) },
  );
  const ws = attachGraphQLWs(server, yoga, { isDev: config.isDev });
  let starting: Promise<unknown> | null = null;
  let startedUp = false;
  let stopped = false;

  return {
    config,
    orchestrator,
    bus,
    orm,
    async start() {
      services.start();
      const address = await listen(server, config.port, config.host);
      const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
      const url = `http://${host}:${address.port}`;
      ownUrl = `http://127.0.0.1:${address.port}`;
      logger.info({ url, dataDir: config.dataDir }, 'Roadie is listening (GraphiQL at /graphql)');
      if (config.idleV8Workers) {
        const r = await idleV8Workers();
        if ('threads' in r) logger.debug({ threads: r.threads }, "V8's background threads run at SCHED_IDLE");
        else logger.info({ reason: r.skipped }, "V8's background threads keep the normal scheduling policy");
      }
      await runner.start();
      followSources();
      if (config.autostart) {
        starting = orchestrator.startAll();
        await starting;
      }
      startedUp = true;
      return { url, port: address.port };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      // A stop during start-up lets the start finish first, so no daemon is left half started.
      await starting?.catch(() => undefined);
      services.stop();
      watcher.close();
      await sourcesChanged.return?.();
      await spotifyChanged.return?.();
      await connectionsChanged.return?.();
      await runner.stop();
      tasks.close(); // pending row events would read the closed database
      await orchestrator.stopAll();
      await ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await orm.close();
      logger.info('Roadie stopped');
    },
  };
}
