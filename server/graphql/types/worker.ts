import type { DaemonDetails } from '../../daemons/details.js';
import type { ControlError, ControlResult } from '../../daemons/orchestrator.js';
import type { ActivityView, OrchestratorView, WorkerView } from '../../daemons/views.js';
import { DAEMON_CATEGORIES } from '../../domain/daemons/catalog.js';
import { DAEMON_STATES, WORKER_ACTIONS, type WorkerAction } from '../../domain/daemons/states.js';
import { DAEMON_STATUSES } from '../../domain/daemons/status.js';
import { builder, ErrorInterface } from '../builder.js';
import type { GraphQLContext } from '../context.js';
import { snapshotThenLive } from '../live.js';

export const DaemonStateEnum = builder.enumType('DaemonState', {
  description: 'Lifecycle state under the orchestrator.',
  values: DAEMON_STATES,
});
export const DaemonStatusEnum = builder.enumType('DaemonStatus', {
  description: 'What the daemon is doing: IDLE between cycles, ACTIVE while a cycle runs, ERROR after a failed cycle or crash, STOPPED when not running.',
  values: DAEMON_STATUSES,
});
export const DaemonCategoryEnum = builder.enumType('DaemonCategory', { values: DAEMON_CATEGORIES });
export const WorkerActionEnum = builder.enumType('WorkerAction', { values: WORKER_ACTIONS });

const Activity = builder.objectRef<ActivityView>('Activity').implement({
  description: 'What a daemon is doing right now, in its own words.',
  fields: (t) => ({
    message: t.exposeString('message'),
    jobId: t.exposeString('jobId', { nullable: true, description: 'The job the daemon is working on or watching.' }),
    jobType: t.exposeString('jobType', { nullable: true }),
    updatedAt: t.expose('updatedAt', { type: 'DateTime' }),
  }),
});

// ---- per-daemon details ----------------------------------------------------------------------

type Kind = DaemonDetails['kind'];
type DetailsOf<K extends Kind> = Extract<DaemonDetails, { kind: K }>;

const WorkerDetails = builder.interfaceRef<DaemonDetails>('WorkerDetails').implement({
  description: 'Details of one daemon; one implementing type per daemon.',
  fields: (t) => ({
    lastRunAt: t.expose('lastRunAt', { type: 'DateTime', nullable: true }),
    nextRunAt: t.expose('nextRunAt', { type: 'DateTime', nullable: true }),
    lastError: t.exposeString('lastError', { nullable: true }),
  }),
});

const TYPE_BY_KIND: Record<Kind, string> = {
  token_refresh: 'TokenRefreshDetails',
  download_monitor: 'DownloadMonitorDetails',
  spotify_sync: 'SpotifySyncDetails',
  new_releases_sync: 'NewReleasesSyncDetails',
  queue_dispatcher: 'QueueDispatcherDetails',
  retry_scheduler: 'RetrySchedulerDetails',
  post_processing: 'PostProcessingDetails',
  watchlist: 'WatchlistDetails',
  discography: 'DiscographyDetails',
  quality_upgrade: 'QualityUpgradeDetails',
  cleanup: 'CleanupDetails',
  duplicate_detector: 'DuplicateDetectorDetails',
};

function details<K extends Kind>(kind: K) {
  return builder.objectRef<DetailsOf<K>>(TYPE_BY_KIND[kind]).implement({
    interfaces: [WorkerDetails],
    isTypeOf: (v) => (v as DaemonDetails).kind === kind,
    fields: () => ({}),
  });
}

const SpotifyLastSyncs = builder.objectRef<DetailsOf<'spotify_sync'>['lastSyncs']>('SpotifyLastSyncs').implement({
  fields: (t) => ({
    artists: t.expose('artists', { type: 'DateTime', nullable: true }),
    playlists: t.expose('playlists', { type: 'DateTime', nullable: true }),
    likedSongs: t.expose('likedSongs', { type: 'DateTime', nullable: true }),
    savedAlbums: t.expose('savedAlbums', { type: 'DateTime', nullable: true }),
  }),
});

/** Shared with the find_duplicates task's result (job.ts). */
export const DuplicateGroupType = builder
  .objectRef<DetailsOf<'duplicate_detector'>['groups'][number]>('DuplicateGroup')
  .implement({
    description: 'Files found to be the same track: by identical content or by matching tags.',
    fields: (t) => ({
      method: t.exposeString('method', { description: 'content | metadata' }),
      hash: t.exposeString('hash'),
      paths: t.exposeStringList('paths', { description: 'Paths relative to the library folder.' }),
    }),
  });

builder.objectFields(details('token_refresh'), (t) => ({
  checkIntervalSeconds: t.exposeInt('checkIntervalSeconds'),
  refreshThresholdMinutes: t.exposeInt('refreshThresholdMinutes'),
  tokensRefreshed: t.exposeInt('tokensRefreshed'),
  connected: t.exposeBoolean('connected'),
}));
builder.objectFields(details('download_monitor'), (t) => ({
  pollIntervalSeconds: t.exposeInt('pollIntervalSeconds'),
  lastPollAt: t.expose('lastPollAt', { type: 'DateTime', nullable: true }),
  downloadsCompleted: t.exposeInt('downloadsCompleted'),
  downloadsFailed: t.exposeInt('downloadsFailed'),
  itemsReclaimed: t.exposeInt('itemsReclaimed', { description: 'Running items put back to pending after their heartbeat stopped.' }),
}));
const SpotifySyncKindEnum = builder.enumType('SpotifySyncKind', {
  values: { ARTISTS: { value: 'artists' }, PLAYLISTS: { value: 'playlists' }, LIKED_SONGS: { value: 'likedSongs' }, SAVED_ALBUMS: { value: 'savedAlbums' } } as const,
});
const SpotifySyncError = builder.objectRef<DetailsOf<'spotify_sync'>['lastErrors'][number]>('SpotifySyncError').implement({
  description: "Why a kind's last sync failed (kept until it succeeds).",
  fields: (t) => ({ kind: t.expose('kind', { type: SpotifySyncKindEnum }), message: t.exposeString('message') }),
});

builder.objectFields(details('spotify_sync'), (t) => ({
  checkIntervalSeconds: t.exposeInt('checkIntervalSeconds'),
  lastSyncs: t.expose('lastSyncs', { type: SpotifyLastSyncs }),
  lastErrors: t.expose('lastErrors', { type: [SpotifySyncError] }),
  rateLimitedUntil: t.expose('rateLimitedUntil', { type: 'DateTime', nullable: true, description: 'After an HTTP 429: no request to Spotify before this.' }),
  hasErrors: t.exposeBoolean('hasErrors'),
  connected: t.exposeBoolean('connected'),
}));
builder.objectFields(details('new_releases_sync'), (t) => ({ releasesCached: t.exposeInt('releasesCached') }));
builder.objectFields(details('queue_dispatcher'), (t) => ({ jobsDispatched: t.exposeInt('jobsDispatched', { description: 'Jobs started into lane slots.' }) }));
builder.objectFields(details('retry_scheduler'), (t) => ({
  retriesScheduled: t.exposeInt('retriesScheduled'),
  maxAttempts: t.exposeInt('maxAttempts'),
  backoffMinutes: t.exposeIntList('backoffMinutes'),
}));
builder.objectFields(details('post_processing'), (t) => ({
  filesProcessed: t.exposeInt('filesProcessed'),
  filesFailed: t.exposeInt('filesFailed'),
}));
builder.objectFields(details('watchlist'), (t) => ({
  artistsChecked: t.exposeInt('artistsChecked'),
  releasesQueued: t.exposeInt('releasesQueued'),
}));
builder.objectFields(details('discography'), (t) => ({
  artistsChecked: t.exposeInt('artistsChecked'),
  albumsMissing: t.exposeInt('albumsMissing'),
}));
builder.objectFields(details('quality_upgrade'), (t) => ({
  tracksChecked: t.exposeInt('tracksChecked'),
  upgradesFound: t.exposeInt('upgradesFound'),
  minBitrateKbps: t.exposeInt('minBitrateKbps', { description: 'Lossy library files below this bit rate are searched for a better version (ROADIE_QUALITY_MIN_KBPS).' }),
}));
builder.objectFields(details('cleanup'), (t) => ({
  dryRun: t.exposeBoolean('dryRun', { description: 'When true, expired temp files are only reported, not deleted.' }),
  retentionDays: t.exposeInt('retentionDays'),
  filesDeleted: t.exposeInt('filesDeleted'),
  bytesFreed: t.exposeFloat('bytesFreed'),
  filesFound: t.exposeInt('filesFound', { description: 'Expired files found by the last run (deleted, or would be in a dry run).' }),
  bytesFound: t.exposeFloat('bytesFound'),
  jobRetentionDays: t.exposeInt('jobRetentionDays', { description: 'Finished jobs that finished more than this many days ago are removed.' }),
  jobsFound: t.exposeInt('jobsFound', { description: 'Finished jobs past the retention found by the last run (removed, or would be in a dry run).' }),
  jobsRemoved: t.exposeInt('jobsRemoved', { description: 'Finished jobs removed since the counters began.' }),
}));
builder.objectFields(details('duplicate_detector'), (t) => ({
  detectionMethod: t.exposeString('detectionMethod'),
  tracksScanned: t.exposeInt('tracksScanned'),
  duplicatesFound: t.exposeInt('duplicatesFound', { description: 'Files that duplicate another file.' }),
  duplicateGroups: t.exposeInt('duplicateGroups'),
  groups: t.expose('groups', { type: [DuplicateGroupType], description: 'Up to 200 groups from the last scan.' }),
}));

// ---- Worker ----------------------------------------------------------------------------------

export const Worker = builder.objectRef<WorkerView>('Worker');
builder.node(Worker, {
  description: 'A background daemon under the orchestrator.',
  id: { resolve: (w) => w.name },
  loadOne: (name, ctx: GraphQLContext) => ctx.orchestrator.get(name),
  fields: (t) => ({
    name: t.exposeString('name', { description: 'The key, e.g. token_refresh.' }),
    displayName: t.exposeString('displayName'),
    category: t.expose('category', { type: DaemonCategoryEnum }),
    priority: t.exposeInt('priority', { description: 'Higher starts first (100 highest); stop runs in reverse.' }),
    required: t.exposeBoolean('required', { description: 'Required daemons must run for the orchestrator to be healthy.' }),
    dependsOn: t.exposeStringList('dependsOn'),
    dependents: t.exposeStringList('dependents', { description: 'Daemons that need this one, directly or not.' }),
    enabled: t.exposeBoolean('enabled', { description: 'Starts with Roadie (persisted).' }),
    paused: t.exposeBoolean('paused', { description: 'Stays paused across restarts (persisted).' }),
    state: t.expose('state', { type: DaemonStateEnum }),
    status: t.expose('status', { type: DaemonStatusEnum }),
    availableActions: t.expose('availableActions', {
      type: [WorkerActionEnum],
      description: 'Lifecycle controls possible in the current state.',
    }),
    activity: t.expose('activity', { type: Activity, nullable: true }),
    startedAt: t.expose('startedAt', { type: 'DateTime', nullable: true }),
    stoppedAt: t.expose('stoppedAt', { type: 'DateTime', nullable: true }),
    error: t.exposeString('error', { nullable: true, description: 'Why the daemon failed (state FAILED) or last restarted.' }),
    restartCount: t.exposeInt('restartCount'),
    intervalSeconds: t.exposeInt('intervalSeconds'),
    lastRunAt: t.expose('lastRunAt', { type: 'DateTime', nullable: true }),
    nextRunAt: t.expose('nextRunAt', { type: 'DateTime', nullable: true }),
    runCount: t.exposeInt('runCount'),
    errorCount: t.exposeInt('errorCount'),
    lastError: t.exposeString('lastError', { nullable: true, description: 'Error of the last cycle, null after a cycle succeeds.' }),
    details: t.expose('details', { type: WorkerDetails }),
  }),
});

const AutomationGroup = builder.objectRef<readonly WorkerView[]>('AutomationGroup').implement({
  description: "The seeds' combined Automation entry: watchlist, discography and quality upgrade.",
  fields: (t) => {
    const running = (ws: readonly WorkerView[], name: string): boolean => ws.some((w) => w.name === name && w.state === 'RUNNING');
    return {
      running: t.boolean({ resolve: (ws) => ['watchlist', 'discography', 'quality_upgrade'].some((n) => running(ws, n)) }),
      watchlistRunning: t.boolean({ resolve: (ws) => running(ws, 'watchlist') }),
      discographyRunning: t.boolean({ resolve: (ws) => running(ws, 'discography') }),
      qualityUpgradeRunning: t.boolean({ resolve: (ws) => running(ws, 'quality_upgrade') }),
    };
  },
});

export const Orchestrator = builder.objectRef<OrchestratorView>('Orchestrator').implement({
  fields: (t) => ({
    totalWorkers: t.exposeInt('totalWorkers'),
    running: t.exposeInt('running'),
    stopped: t.exposeInt('stopped', { description: 'Neither running nor failed.' }),
    failed: t.exposeInt('failed'),
    healthy: t.exposeBoolean('healthy', { description: 'Every required daemon is running.' }),
    unhealthyRequired: t.exposeStringList('unhealthy', { description: 'Required daemons that are not running.' }),
    workers: t.expose('workers', { type: [Worker], description: 'Every daemon, in start order.' }),
    automation: t.field({ type: AutomationGroup, resolve: (o) => o.workers }),
  }),
});

const DaemonStatusEvent = builder.objectRef<WorkerView>('DaemonStatusEvent').implement({
  description: "A daemon's state, status, activity, settings or counters changed.",
  fields: (t) => ({ worker: t.field({ type: Worker, resolve: (w) => w }) }),
});

// ---- results of controls -------------------------------------------------------------------

interface Payload {
  worker: WorkerView;
  changed: boolean;
  message: string;
}

const WorkerControlPayload = builder.objectRef<Payload>('WorkerControlPayload').implement({
  fields: (t) => ({
    worker: t.expose('worker', { type: Worker }),
    changed: t.exposeBoolean('changed', { description: 'False when the worker already was as asked (e.g. start while running).' }),
    message: t.exposeString('message'),
  }),
});

type ErrorOf<K extends ControlError['kind']> = Extract<ControlError, { kind: K }>;

const UnknownWorkerError = builder.objectRef<ErrorOf<'unknownWorker'>>('UnknownWorkerError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({ name: t.exposeString('name') }),
});
const InvalidTransitionError = builder.objectRef<ErrorOf<'invalidTransition'>>('InvalidTransitionError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({
    worker: t.exposeString('worker'),
    state: t.expose('state', { type: DaemonStateEnum }),
    action: t.expose('action', { type: WorkerActionEnum }),
  }),
});
const DependentsRunningError = builder.objectRef<ErrorOf<'dependentsRunning'>>('DependentsRunningError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({ worker: t.exposeString('worker'), dependents: t.exposeStringList('dependents') }),
});
export const InvalidArgumentError = builder.objectRef<ErrorOf<'invalidArgument'>>('InvalidArgumentError').implement({
  interfaces: [ErrorInterface],
  fields: (t) => ({ argument: t.exposeString('argument') }),
});

const ERROR_TYPES = {
  unknownWorker: UnknownWorkerError,
  invalidTransition: InvalidTransitionError,
  dependentsRunning: DependentsRunningError,
  invalidArgument: InvalidArgumentError,
} as const;

const WorkerControlResult = builder.unionType('WorkerControlResult', {
  types: [WorkerControlPayload, UnknownWorkerError, InvalidTransitionError, DependentsRunningError, InvalidArgumentError],
  resolveType: (v) => ('kind' in v ? ERROR_TYPES[v.kind] : WorkerControlPayload),
});

const toResult = (r: ControlResult): Payload | ControlError =>
  r.ok ? { worker: r.worker, changed: r.changed, message: r.message } : r.error;

function control(action: WorkerAction, ctx: GraphQLContext, name: string, args: Record<string, unknown> = {}) {
  return ctx.controls.perform({ action, name, args, clientAddress: ctx.clientAddress }).then(toResult);
}

// ---- root fields -------------------------------------------------------------------------

builder.queryFields((t) => ({
  workers: t.field({
    type: [Worker],
    description: 'Every daemon, in start order.',
    resolve: (_r, _a, ctx) => ctx.orchestrator.list(),
  }),
  worker: t.field({
    type: Worker,
    nullable: true,
    description: 'One daemon by key, or null when unknown.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, { name }, ctx) => ctx.orchestrator.get(name),
  }),
  orchestrator: t.field({ type: Orchestrator, resolve: (_r, _a, ctx) => ctx.orchestrator.overview() }),
}));


builder.mutationFields((t) => ({
  startWorker: t.field({
    type: WorkerControlResult,
    description: 'Starts a daemon and the dependencies it needs; a running daemon answers "already running" (changed: false).',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, { name }, ctx) => control('START', ctx, name),
  }),
  stopWorker: t.field({
    type: WorkerControlResult,
    description: 'Stops a daemon. When running daemons depend on it, refuses with DependentsRunningError unless cascade is true, which stops them first.',
    args: { name: t.arg.string({ required: true }), cascade: t.arg.boolean({ defaultValue: false }) },
    resolve: (_r, { name, cascade }, ctx) => control('STOP', ctx, name, { cascade: cascade ?? false }),
  }),
  pauseWorker: t.field({
    type: WorkerControlResult,
    description: 'Stops running cycles but keeps the daemon alive; persisted across restarts.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, { name }, ctx) => control('PAUSE', ctx, name),
  }),
  resumeWorker: t.field({
    type: WorkerControlResult,
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, { name }, ctx) => control('RESUME', ctx, name),
  }),
  runWorkerNow: t.field({
    type: WorkerControlResult,
    description: 'Runs one cycle right away.',
    args: { name: t.arg.string({ required: true }) },
    resolve: (_r, { name }, ctx) => control('RUN_NOW', ctx, name),
  }),
  setWorkerInterval: t.field({
    type: WorkerControlResult,
    description: 'Sets the seconds between cycles (persisted).',
    args: { name: t.arg.string({ required: true }), seconds: t.arg.int({ required: true }) },
    resolve: (_r, { name, seconds }, ctx) => control('SET_INTERVAL', ctx, name, { seconds }),
  }),
  setWorkerEnabled: t.field({
    type: WorkerControlResult,
    description: 'Whether the daemon starts with Roadie (persisted); also starts or stops it now.',
    args: {
      name: t.arg.string({ required: true }),
      enabled: t.arg.boolean({ required: true }),
      cascade: t.arg.boolean({ defaultValue: false }),
    },
    resolve: (_r, { name, enabled, cascade }, ctx) => control('SET_ENABLED', ctx, name, { enabled, cascade: cascade ?? false }),
  }),
  setCleanupDryRun: t.field({
    type: WorkerControlResult,
    description: 'With dry run on (the default), cleanup only reports what it would delete.',
    args: { dryRun: t.arg.boolean({ required: true }) },
    resolve: (_r, { dryRun }, ctx) => control('SET_DRY_RUN', ctx, 'cleanup', { dryRun }),
  }),
}));

builder.subscriptionFields((t) => ({
  daemonStatus: t.field({
    type: DaemonStatusEvent,
    description: 'First the current snapshot (one event per matching daemon), then every state, status and activity change.',
    args: { name: t.arg.string({ required: false, description: 'Only this daemon; all when omitted.' }) },
    subscribe: (_r, { name }, ctx) =>
      snapshotThenLive(ctx.bus.subscribe('daemon:changed', name ?? undefined), () =>
        name ? [ctx.orchestrator.get(name)].filter((w): w is WorkerView => w !== null) : ctx.orchestrator.list(),
      ),
    resolve: (w) => w,
  }),
  orchestratorHealth: t.field({
    type: Orchestrator,
    description: 'First the current value, then on every change of a daemon state (counts and health).',
    subscribe: (_r, _a, ctx) => snapshotThenLive(ctx.bus.subscribe('orchestrator:changed'), () => [ctx.orchestrator.overview()]),
    resolve: (o) => o,
  }),
}));
