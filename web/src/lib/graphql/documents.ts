import { gql, type TypedDocumentNode } from '@urql/core';
import type {
  AddPlaylistSourceResult,
  Automation,
  ConnectSpotifyResult,
  CreateJobInput,
  DownloadSpeedEvent,
  DownloadSpeedLimitResult,
  Job,
  JobResult,
  Lane,
  LaneResult,
  MissingAlbum,
  OrchestratorSummary,
  PlaylistConnection,
  PlaylistSource,
  RemoveJobResult,
  RemovePlaylistSourceResult,
  ServiceConnection,
  ServiceConnectionInput,
  ServiceHealth,
  SetPlaylistsWantedResult,
  SpotifyAccount,
  TaskCenterEvent,
  TaskRowConnection,
  UpdateServiceConnectionResult,
  WatchArtistResult,
  WatchedArtist,
  Worker,
  WorkerControlResult,
} from './types.js';

const detailsBase = 'lastRunAt nextRunAt lastError';

/** Everything a worker card and the status popover show; every event carries the whole worker. */
export const WorkerFields = gql`
  fragment WorkerFields on Worker {
    id
    name
    displayName
    category
    priority
    required
    dependsOn
    dependents
    enabled
    paused
    state
    status
    availableActions
    activity { message jobId jobType updatedAt }
    startedAt
    stoppedAt
    error
    restartCount
    intervalSeconds
    lastRunAt
    nextRunAt
    runCount
    errorCount
    lastError
    details {
      __typename
      ${detailsBase}
      ... on TokenRefreshDetails { checkIntervalSeconds refreshThresholdMinutes tokensRefreshed connected }
      ... on SpotifySyncDetails {
        checkIntervalSeconds hasErrors connected rateLimitedUntil
        lastSyncs { artists playlists likedSongs savedAlbums }
        lastErrors { kind message }
      }
      ... on DownloadMonitorDetails { pollIntervalSeconds lastPollAt downloadsCompleted downloadsFailed }
      ... on NewReleasesSyncDetails { releasesCached }
      ... on QueueDispatcherDetails { jobsDispatched }
      ... on RetrySchedulerDetails { retriesScheduled maxAttempts backoffMinutes }
      ... on PostProcessingDetails { filesProcessed filesFailed }
      ... on WatchlistDetails { artistsChecked releasesQueued }
      ... on DiscographyDetails { artistsChecked albumsMissing }
      ... on QualityUpgradeDetails { tracksChecked upgradesFound minBitrateKbps }
      ... on CleanupDetails {
        dryRun retentionDays filesDeleted bytesFreed filesFound bytesFound jobRetentionDays jobsFound jobsRemoved
      }
      ... on DuplicateDetectorDetails { detectionMethod tracksScanned duplicatesFound duplicateGroups }
    }
  }
`;

/** The union every control mutation returns; payload or a typed error with its message. */
const ControlResultFields = gql`
  fragment ControlResultFields on WorkerControlResult {
    __typename
    ... on Error { message }
    ... on WorkerControlPayload { changed message worker { ...WorkerFields } }
    ... on DependentsRunningError { dependents }
  }
  ${WorkerFields}
`;

const ServiceFields = gql`
  fragment ServiceFields on ServiceHealth {
    name displayName state baseUrl latencyMs lastError checkedAt
  }
`;

export const WorkersSnapshotQuery = gql<{ workers: Worker[] }, Record<string, never>>`
  query WorkersSnapshot { workers { ...WorkerFields } }
  ${WorkerFields}
`;

export const DaemonStatusSubscription = gql<
  { daemonStatus: { worker: Worker } },
  Record<string, never>
>`
  subscription DaemonStatus { daemonStatus { worker { ...WorkerFields } } }
  ${WorkerFields}
`;

export const OrchestratorHealthSubscription = gql<
  { orchestratorHealth: OrchestratorSummary },
  Record<string, never>
>`
  subscription OrchestratorHealth {
    orchestratorHealth { totalWorkers running stopped failed healthy }
  }
`;

export const ServicesQuery = gql<{ services: ServiceHealth[] }, Record<string, never>>`
  query Services { services { ...ServiceFields } }
  ${ServiceFields}
`;

export const ServicesUpdatedSubscription = gql<
  { servicesUpdated: ServiceHealth[] },
  Record<string, never>
>`
  subscription ServicesUpdated { servicesUpdated { ...ServiceFields } }
  ${ServiceFields}
`;

/** Every control mutation aliases its root field to `result`, so one handler reads them all. */
type Control<Vars extends Record<string, unknown>> = TypedDocumentNode<
  { result: WorkerControlResult },
  Vars
>;

export const StartWorkerMutation: Control<{ name: string }> = gql`
  mutation StartWorker($name: String!) { result: startWorker(name: $name) { ...ControlResultFields } }
  ${ControlResultFields}
`;

export const StopWorkerMutation: Control<{ name: string; cascade: boolean }> = gql`
  mutation StopWorker($name: String!, $cascade: Boolean!) {
    result: stopWorker(name: $name, cascade: $cascade) { ...ControlResultFields }
  }
  ${ControlResultFields}
`;

export const PauseWorkerMutation: Control<{ name: string }> = gql`
  mutation PauseWorker($name: String!) { result: pauseWorker(name: $name) { ...ControlResultFields } }
  ${ControlResultFields}
`;

export const ResumeWorkerMutation: Control<{ name: string }> = gql`
  mutation ResumeWorker($name: String!) { result: resumeWorker(name: $name) { ...ControlResultFields } }
  ${ControlResultFields}
`;

export const RunWorkerNowMutation: Control<{ name: string }> = gql`
  mutation RunWorkerNow($name: String!) { result: runWorkerNow(name: $name) { ...ControlResultFields } }
  ${ControlResultFields}
`;

export const SetWorkerIntervalMutation: Control<{ name: string; seconds: number }> = gql`
  mutation SetWorkerInterval($name: String!, $seconds: Int!) {
    result: setWorkerInterval(name: $name, seconds: $seconds) { ...ControlResultFields }
  }
  ${ControlResultFields}
`;

/** Disabling also stops the daemon now, so it answers DependentsRunningError like stopWorker. */
export const SetWorkerEnabledMutation: Control<{ name: string; enabled: boolean; cascade: boolean }> = gql`
  mutation SetWorkerEnabled($name: String!, $enabled: Boolean!, $cascade: Boolean!) {
    result: setWorkerEnabled(name: $name, enabled: $enabled, cascade: $cascade) { ...ControlResultFields }
  }
  ${ControlResultFields}
`;

export const SetCleanupDryRunMutation: Control<{ dryRun: boolean }> = gql`
  mutation SetCleanupDryRun($dryRun: Boolean!) {
    result: setCleanupDryRun(dryRun: $dryRun) { ...ControlResultFields }
  }
  ${ControlResultFields}
`;

// ---- task center ------------------------------------------------------------------------

/** One task-center row; every taskCenter event carries the whole row. */
const TaskRowFields = gql`
  fragment TaskRowFields on TaskRow {
    id jobId jobType displayName status lane queuePosition
    scopeSummary { kind count }
    completedItems totalItems progressPercent activeWorkerCount speedBytesPerSec
    canPause canResume canCancel canRemove
    waitingReason { kind until runningJobIds aheadJobIds lane }
    createdAt startedAt finishedAt
  }
`;

/** A job's detail as the expanded row shows it. */
const JobFields = gql`
  fragment JobFields on Job {
    id jobId jobType displayName status lane priority createdAt startedAt finishedAt durationMs error
    canPause canResume canCancel
    taskResult {
      __typename
      ... on LibraryScanResult {
        folder readTags files audioFiles totalBytes missingTags unreadableFiles
        formats { format files bytes }
      }
      ... on FindDuplicatesResult {
        byContent tracksScanned unreadable duplicateGroups duplicateFiles
        groups { method paths }
      }
    }
    stages { stageType status totalItems succeededItems failedItems skippedItems canceledItems }
    workers {
      name status currentDisplayText downloadedBytes totalBytes speedBytesPerSec progressPercent
      processedCount errorCount heartbeatAt
    }
    events { at kind }
    playlists { id name songCount distinctSongCount downloadedSongCount }
  }
`;

const LaneFields = gql`
  fragment LaneFields on Lane { name limit running queued }
`;

export const TaskCenterQuery = gql<
  { taskCenter: TaskRowConnection },
  { first: number; after: string | null }
>`
  query TaskCenter($first: Int, $after: String) {
    taskCenter(first: $first, after: $after) {
      edges { cursor node { ...TaskRowFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${TaskRowFields}
`;

export const TaskCenterSubscription = gql<{ taskCenter: TaskCenterEvent }, Record<string, never>>`
  subscription TaskCenterEvents { taskCenter { kind id row { ...TaskRowFields } } }
  ${TaskRowFields}
`;

/** Sends the current job first, then the job again on every change. */
export const JobUpdatedSubscription = gql<{ jobUpdated: Job }, { id: string }>`
  subscription JobUpdated($id: ID!) { jobUpdated(id: $id) { ...JobFields } }
  ${JobFields}
`;

export const LanesQuery = gql<{ lanes: Lane[] }, Record<string, never>>`
  query Lanes { lanes { ...LaneFields } }
  ${LaneFields}
`;

export const LanesUpdatedSubscription = gql<{ lanesUpdated: Lane[] }, Record<string, never>>`
  subscription LanesUpdated { lanesUpdated { ...LaneFields } }
  ${LaneFields}
`;

/** The union every job mutation returns; payload or a typed error with its message. */
const JobResultFields = gql`
  fragment JobResultFields on JobResult {
    __typename
    ... on Error { message }
    ... on JobPayload { job { ...JobFields } }
    ... on InvalidJobTransitionError { status action }
  }
  ${JobFields}
`;

/** Every job mutation aliases its root field to `result`, like the worker controls. */
type JobControl<Vars extends Record<string, unknown>> = TypedDocumentNode<{ result: JobResult }, Vars>;

export const CreateJobMutation: JobControl<{ input: CreateJobInput }> = gql`
  mutation CreateJob($input: CreateJobInput!) { result: createJob(input: $input) { ...JobResultFields } }
  ${JobResultFields}
`;

export const PauseJobMutation: JobControl<{ id: string }> = gql`
  mutation PauseJob($id: ID!) { result: pauseJob(id: $id) { ...JobResultFields } }
  ${JobResultFields}
`;

export const ResumeJobMutation: JobControl<{ id: string }> = gql`
  mutation ResumeJob($id: ID!) { result: resumeJob(id: $id) { ...JobResultFields } }
  ${JobResultFields}
`;

export const CancelJobMutation: JobControl<{ id: string }> = gql`
  mutation CancelJob($id: ID!) { result: cancelJob(id: $id) { ...JobResultFields } }
  ${JobResultFields}
`;

/** Removes a finished job; the row goes through the taskCenter subscription's REMOVED event. */
export const RemoveJobMutation = gql<{ result: RemoveJobResult }, { id: string }>`
  mutation RemoveJob($id: ID!) {
    result: removeJob(id: $id) {
      __typename
      ... on Error { message }
      ... on RemoveJobPayload { id jobId }
      ... on InvalidJobTransitionError { status action }
    }
  }
`;

export const SetLaneConcurrencyMutation = gql<{ result: LaneResult }, { lane: string; limit: number }>`
  mutation SetLaneConcurrency($lane: String!, $limit: Int!) {
    result: setLaneConcurrency(lane: $lane, limit: $limit) {
      __typename
      ... on Error { message }
      ... on Lane { ...LaneFields }
    }
  }
  ${LaneFields}
`;

// ---- playlists --------------------------------------------------------------------------

const PlaylistFields = gql`
  fragment PlaylistFields on Playlist {
    id name songCount distinctSongCount downloadedSongCount wanted lastSyncedAt location sourceId
  }
`;

const PlaylistSourceFields = gql`
  fragment PlaylistSourceFields on PlaylistSource {
    id location kind format playlistCount lastReadAt lastError createdAt
  }
`;

/** One page of playlists, oldest first. */
export const PlaylistsQuery = gql<{ playlists: PlaylistConnection }, { first: number; after: string | null }>`
  query Playlists($first: Int, $after: String) {
    playlists(first: $first, after: $after) {
      edges { cursor node { ...PlaylistFields } }
      pageInfo { hasNextPage endCursor }
    }
  }
  ${PlaylistFields}
`;

export const PlaylistSourcesQuery = gql<{ playlistSources: PlaylistSource[] }, Record<string, never>>`
  query PlaylistSources { playlistSources { ...PlaylistSourceFields } }
  ${PlaylistSourceFields}
`;

/**
 * Just enough of each task-center event to tell when a job moved on (an item done, a status
 * changed), which is when the playlists' counts may have changed.
 */
/** Playlists or sources changed (a source read, a sync, a song filed …): read them again. */
export const PlaylistsChangedSubscription = gql<{ playlistsChanged: { reason: string; at: string } }, Record<string, never>>`
  subscription PlaylistsChanged { playlistsChanged { reason at } }
`;

type PlaylistBulk = JobControl<{ playlistIds: string[] }>;

export const SyncSelectedPlaylistsMutation: PlaylistBulk = gql`
  mutation SyncSelectedPlaylists($playlistIds: [ID!]!) {
    result: syncSelectedPlaylists(playlistIds: $playlistIds) { ...JobResultFields }
  }
  ${JobResultFields}
`;

export const DownloadSelectedPlaylistsMutation: PlaylistBulk = gql`
  mutation DownloadSelectedPlaylists($playlistIds: [ID!]!) {
    result: downloadSelectedPlaylists(playlistIds: $playlistIds) { ...JobResultFields }
  }
  ${JobResultFields}
`;

export const SyncThenDownloadPlaylistsMutation: PlaylistBulk = gql`
  mutation SyncThenDownloadPlaylists($playlistIds: [ID!]!) {
    result: syncThenDownloadPlaylists(playlistIds: $playlistIds) { ...JobResultFields }
  }
  ${JobResultFields}
`;

export const SetPlaylistsWantedMutation = gql<{ result: SetPlaylistsWantedResult }, { playlistIds: string[]; wanted: boolean }>`
  mutation SetPlaylistsWanted($playlistIds: [ID!]!, $wanted: Boolean!) {
    result: setPlaylistsWanted(playlistIds: $playlistIds, wanted: $wanted) {
      __typename
      ... on Error { message }
      ... on InvalidArgumentError { argument }
      ... on PlaylistsPayload { playlists { ...PlaylistFields } }
    }
  }
  ${PlaylistFields}
`;

export const AddPlaylistSourceMutation = gql<{ result: AddPlaylistSourceResult }, { location: string }>`
  mutation AddPlaylistSource($location: String!) {
    result: addPlaylistSource(location: $location) {
      __typename
      ... on Error { message }
      ... on InvalidArgumentError { argument }
      ... on AddPlaylistSourcePayload { collectJobId source { ...PlaylistSourceFields } }
    }
  }
  ${PlaylistSourceFields}
`;

export const RemovePlaylistSourceMutation = gql<{ result: RemovePlaylistSourceResult }, { id: string }>`
  mutation RemovePlaylistSource($id: ID!) {
    result: removePlaylistSource(id: $id) {
      __typename
      ... on Error { message }
      ... on RemovePlaylistSourcePayload { removedId }
    }
  }
`;

// ---- downloads --------------------------------------------------------------------------

/** Every job's live download figures (no jobId: all jobs); first the latest known of each. */
export const DownloadSpeedSubscription = gql<{ downloadSpeed: DownloadSpeedEvent }, Record<string, never>>`
  subscription DownloadSpeed {
    downloadSpeed {
      jobId speedBytesPerSec downloadedBytes totalBytes progressPercent etaSeconds at
      workers { name downloadedBytes totalBytes speedBytesPerSec progressPercent etaSeconds }
    }
  }
`;

export const DownloadSpeedLimitQuery = gql<{ downloadSpeedLimit: number }, Record<string, never>>`
  query DownloadSpeedLimit { downloadSpeedLimit }
`;

/** The limit now, then every change (by any client). */
export const DownloadSpeedLimitSubscription = gql<{ downloadSpeedLimitChanged: number }, Record<string, never>>`
  subscription DownloadSpeedLimitChanged { downloadSpeedLimitChanged }
`;

export const SetDownloadSpeedLimitMutation = gql<{ result: DownloadSpeedLimitResult }, { bytesPerSecond: number }>`
  mutation SetDownloadSpeedLimit($bytesPerSecond: Int!) {
    result: setDownloadSpeedLimit(bytesPerSecond: $bytesPerSecond) {
      __typename
      ... on Error { message }
      ... on DownloadSpeedLimitPayload { bytesPerSecond }
    }
  }
`;

// ---- settings: the Spotify link ---------------------------------------------------------

const SpotifyAccountFields = gql`
  fragment SpotifyAccountFields on SpotifyAccount {
    state missing redirectUri userId displayName scopes expiresAt connectedAt refreshedAt revokedAt lastError
  }
`;

export const SpotifyQuery = gql<{ spotify: SpotifyAccount }, Record<string, never>>`
  query Spotify { spotify { ...SpotifyAccountFields } }
  ${SpotifyAccountFields}
`;

/** The link now, then after each connect, refresh, revocation or disconnect. */
export const SpotifyChangedSubscription = gql<{ spotifyChanged: SpotifyAccount }, Record<string, never>>`
  subscription SpotifyChanged { spotifyChanged { ...SpotifyAccountFields } }
  ${SpotifyAccountFields}
`;

/** Starts the connect round trip: the URL to send the browser to, or what is not configured. */
export const ConnectSpotifyMutation = gql<{ result: ConnectSpotifyResult }, Record<string, never>>`
  mutation ConnectSpotify {
    result: connectSpotify {
      __typename
      ... on SpotifyAuthorization { authorizeUrl redirectUri }
      ... on SpotifyNotConfiguredError { message missing }
    }
  }
`;

export const DisconnectSpotifyMutation = gql<{ result: SpotifyAccount }, Record<string, never>>`
  mutation DisconnectSpotify { result: disconnectSpotify { ...SpotifyAccountFields } }
  ${SpotifyAccountFields}
`;

// ---- settings: the slskd and MusicBrainz connections ------------------------------------

const ServiceConnectionFields = gql`
  fragment ServiceConnectionFields on ServiceConnection {
    slskdUrl slskdApiKeySet slskdDownloadsDir musicbrainzUrl musicbrainzContact
    sources { slskdUrl slskdApiKey slskdDownloadsDir musicbrainzUrl musicbrainzContact }
  }
`;

/** The connections in force and where each value comes from (never the slskd key). */
export const ServiceConnectionQuery = gql<{ serviceConnection: ServiceConnection }, Record<string, never>>`
  query ServiceConnection { serviceConnection { ...ServiceConnectionFields } }
  ${ServiceConnectionFields}
`;

/** Sets or clears ("") fields, all or nothing; the services are probed again at once. */
export const UpdateServiceConnectionMutation = gql<{ result: UpdateServiceConnectionResult }, { input: ServiceConnectionInput }>`
  mutation UpdateServiceConnection($input: ServiceConnectionInput!) {
    result: updateServiceConnection(input: $input) {
      __typename
      ... on Error { message }
      ... on InvalidArgumentError { argument }
      ... on ServiceConnectionPayload { connection { ...ServiceConnectionFields } }
    }
  }
  ${ServiceConnectionFields}
`;

// ---- automation -------------------------------------------------------------------------

const WatchedArtistFields = gql`
  fragment WatchedArtistFields on WatchedArtist {
    id name mbid origin checkedAt discographyAt lastError missingAlbums addedAt
  }
`;

const MissingAlbumFields = gql`
  fragment MissingAlbumFields on MissingAlbum {
    id artistId artistName releaseGroupMbid title primaryType firstReleaseDate foundAt
  }
`;

/**
 * The automation page in one read: the daemons' summary (and what MusicBrainz still needs),
 * the watched artists (by name) and the newest missing albums. Nothing here has a
 * subscription; the page reads it again after a change and when a daemon's run ends.
 */
export const AutomationQuery = gql<
  { automation: Automation; watchedArtists: WatchedArtist[]; missingAlbums: MissingAlbum[] },
  { first: number }
>`
  query Automation($first: Int) {
    automation {
      running watchlistRunning discographyRunning qualityUpgradeRunning watchedArtists missingAlbums missing
      workers { ...WorkerFields }
    }
    watchedArtists { ...WatchedArtistFields }
    missingAlbums(first: $first) { ...MissingAlbumFields }
  }
  ${WorkerFields}
  ${WatchedArtistFields}
  ${MissingAlbumFields}
`;

export const WatchArtistMutation = gql<{ result: WatchArtistResult }, { name: string }>`
  mutation WatchArtist($name: String!) {
    result: watchArtist(name: $name) {
      __typename
      ... on Error { message }
      ... on InvalidArgumentError { argument }
      ... on WatchArtistPayload { artist { ...WatchedArtistFields } }
    }
  }
  ${WatchedArtistFields}
`;

/** False when there was no such artist (removed meanwhile). */
export const UnwatchArtistMutation = gql<{ result: boolean }, { id: string }>`
  mutation UnwatchArtist($id: ID!) { result: unwatchArtist(id: $id) }
`;
