// Result shapes of the documents in documents.ts, written by hand against the server's schema.
// DateTime arrives as an ISO 8601 string; numbers are raw (bytes, seconds, counts).

export type DateTime = string;

export type DaemonState =
  | 'REGISTERED'
  | 'STARTING'
  | 'RUNNING'
  | 'PAUSED'
  | 'STOPPING'
  | 'STOPPED'
  | 'FAILED';
export type DaemonStatus = 'IDLE' | 'ACTIVE' | 'ERROR' | 'STOPPED';
export type DaemonCategory = 'CRITICAL' | 'SYNC' | 'DOWNLOAD' | 'AUTOMATION' | 'MAINTENANCE';
export type ServiceState = 'UP' | 'DOWN' | 'NOT_CONFIGURED';
export type WorkerAction =
  | 'START'
  | 'STOP'
  | 'PAUSE'
  | 'RESUME'
  | 'RUN_NOW'
  | 'SET_INTERVAL'
  | 'SET_ENABLED'
  | 'SET_DRY_RUN';

/** What a daemon is doing right now, as it last reported it. */
export interface Activity {
  message: string;
  jobId: string | null;
  jobType: string | null;
  updatedAt: DateTime;
}

interface DetailsBase {
  lastRunAt: DateTime | null;
  nextRunAt: DateTime | null;
  lastError: string | null;
}

export interface TokenRefreshDetails extends DetailsBase {
  __typename: 'TokenRefreshDetails';
  checkIntervalSeconds: number;
  refreshThresholdMinutes: number;
  tokensRefreshed: number;
  connected: boolean;
}
export interface SpotifyLastSyncs {
  artists: DateTime | null;
  playlists: DateTime | null;
  likedSongs: DateTime | null;
  savedAlbums: DateTime | null;
}
export interface SpotifySyncDetails extends DetailsBase {
  __typename: 'SpotifySyncDetails';
  checkIntervalSeconds: number;
  lastSyncs: SpotifyLastSyncs;
  lastErrors: { kind: 'ARTISTS' | 'PLAYLISTS' | 'LIKED_SONGS' | 'SAVED_ALBUMS'; message: string }[];
  /** After an HTTP 429: no request to Spotify before this. */
  rateLimitedUntil: DateTime | null;
  hasErrors: boolean;
  connected: boolean;
}
export interface DownloadMonitorDetails extends DetailsBase {
  __typename: 'DownloadMonitorDetails';
  pollIntervalSeconds: number;
  lastPollAt: DateTime | null;
  downloadsCompleted: number;
  downloadsFailed: number;
}
export interface NewReleasesSyncDetails extends DetailsBase {
  __typename: 'NewReleasesSyncDetails';
  releasesCached: number;
}
export interface QueueDispatcherDetails extends DetailsBase {
  __typename: 'QueueDispatcherDetails';
  jobsDispatched: number;
}
export interface RetrySchedulerDetails extends DetailsBase {
  __typename: 'RetrySchedulerDetails';
  retriesScheduled: number;
  maxAttempts: number;
  backoffMinutes: number[];
}
export interface PostProcessingDetails extends DetailsBase {
  __typename: 'PostProcessingDetails';
  filesProcessed: number;
  filesFailed: number;
}
export interface WatchlistDetails extends DetailsBase {
  __typename: 'WatchlistDetails';
  artistsChecked: number;
  releasesQueued: number;
}
export interface DiscographyDetails extends DetailsBase {
  __typename: 'DiscographyDetails';
  artistsChecked: number;
  albumsMissing: number;
}
export interface QualityUpgradeDetails extends DetailsBase {
  __typename: 'QualityUpgradeDetails';
  tracksChecked: number;
  upgradesFound: number;
  minBitrateKbps: number;
}
export interface CleanupDetails extends DetailsBase {
  __typename: 'CleanupDetails';
  dryRun: boolean;
  retentionDays: number;
  filesDeleted: number;
  bytesFreed: number;
  filesFound: number;
  bytesFound: number;
  jobRetentionDays: number;
  jobsFound: number;
  jobsRemoved: number;
}
export interface DuplicateDetectorDetails extends DetailsBase {
  __typename: 'DuplicateDetectorDetails';
  detectionMethod: string;
  tracksScanned: number;
  duplicatesFound: number;
  duplicateGroups: number;
}

/** Per-daemon facts; `__typename` tells which daemon they belong to. */
export type WorkerDetails =
  | TokenRefreshDetails
  | SpotifySyncDetails
  | DownloadMonitorDetails
  | NewReleasesSyncDetails
  | QueueDispatcherDetails
  | RetrySchedulerDetails
  | PostProcessingDetails
  | WatchlistDetails
  | DiscographyDetails
  | QualityUpgradeDetails
  | CleanupDetails
  | DuplicateDetectorDetails;

export interface Worker {
  id: string;
  name: string;
  displayName: string;
  category: DaemonCategory;
  priority: number;
  required: boolean;
  dependsOn: string[];
  dependents: string[];
  enabled: boolean;
  paused: boolean;
  state: DaemonState;
  status: DaemonStatus;
  /** Lifecycle controls the server's state table allows now. */
  availableActions: WorkerAction[];
  activity: Activity | null;
  startedAt: DateTime | null;
  stoppedAt: DateTime | null;
  error: string | null;
  restartCount: number;
  intervalSeconds: number;
  lastRunAt: DateTime | null;
  nextRunAt: DateTime | null;
  runCount: number;
  errorCount: number;
  lastError: string | null;
  details: WorkerDetails;
}

export interface OrchestratorSummary {
  totalWorkers: number;
  running: number;
  stopped: number;
  failed: number;
  healthy: boolean;
}

export interface ServiceHealth {
  name: string;
  displayName: string;
  state: ServiceState;
  baseUrl: string | null;
  latencyMs: number | null;
  lastError: string | null;
  checkedAt: DateTime | null;
}

export interface WorkerControlPayload {
  __typename: 'WorkerControlPayload';
  changed: boolean;
  message: string;
  worker: Worker;
}
export interface DependentsRunningError {
  __typename: 'DependentsRunningError';
  message: string;
  dependents: string[];
}
export interface OtherControlError {
  __typename: 'UnknownWorkerError' | 'InvalidTransitionError' | 'InvalidArgumentError';
  message: string;
}
/** The union every worker control mutation returns. */
export type WorkerControlResult = WorkerControlPayload | DependentsRunningError | OtherControlError;

// ---- task center ------------------------------------------------------------------------

export const JOB_TYPES = [
  'CATALOG_SYNC',
  'COLLECT_ONLY',
  'SYNC_ONLY',
  'SYNC_DOWNLOAD',
  'DOWNLOAD_ONLY',
  'UPLOAD_ONLY',
  'DOWNLOAD_UPLOAD',
  'LIBRARY_SCAN',
  'FIND_DUPLICATES',
] as const;
export type JobType = (typeof JOB_TYPES)[number];
/** Job types that run one typed task with parameters and a result. */
export const TASK_JOB_TYPES = ['LIBRARY_SCAN', 'FIND_DUPLICATES'] as const satisfies readonly JobType[];
export type TaskJobType = (typeof TASK_JOB_TYPES)[number];
export type JobStatus =
  | 'QUEUED'
  | 'RUNNING'
  | 'PAUSE_REQUESTED'
  | 'PAUSED'
  | 'COMPLETED'
  | 'COMPLETED_WITH_ERRORS'
  | 'FAILED'
  | 'CANCELED';
export type StageType = 'COLLECT' | 'SYNC' | 'DOWNLOAD' | 'UPLOAD' | 'TASK';
export type StageStatus =
  | 'PENDING'
  | 'RUNNING'
  | 'PAUSED'
  | 'COMPLETED'
  | 'COMPLETED_WITH_ERRORS'
  | 'FAILED'
  | 'CANCELED'
  | 'SKIPPED';
export type ScopeKind = 'PLAYLISTS' | 'SOURCES' | 'ALL';
export type WaitingKind = 'PAUSED' | 'BACKING_OFF' | 'LANE_BUSY' | 'BEHIND_IN_QUEUE' | 'STARTING_SOON';

/** What a job covers, as facts; `count` is null for ALL. */
export interface ScopeSummary {
  kind: ScopeKind;
  count: number | null;
}

/** Why a job that is not running waits; the SPA words it. */
export interface WaitingReason {
  kind: WaitingKind;
  until: DateTime | null;
  runningJobIds: number[];
  aheadJobIds: number[];
  lane: string | null;
}

/** One line of the task center. `id` is a global ID; `jobId` the plain number people see. */
export interface TaskRow {
  id: string;
  jobId: number;
  jobType: JobType;
  displayName: string;
  status: JobStatus;
  lane: string;
  /** 1-based place in the lane's dispatch order while queued. */
  queuePosition: number | null;
  scopeSummary: ScopeSummary;
  completedItems: number;
  totalItems: number;
  progressPercent: number | null;
  activeWorkerCount: number;
  speedBytesPerSec: number | null;
  canPause: boolean;
  canResume: boolean;
  canCancel: boolean;
  /** Only a finished job can be removed. */
  canRemove: boolean;
  waitingReason: WaitingReason | null;
  createdAt: DateTime;
  startedAt: DateTime | null;
  finishedAt: DateTime | null;
}

export interface PageInfo {
  hasNextPage: boolean;
  endCursor: string | null;
}

export interface TaskRowConnection {
  edges: { cursor: string; node: TaskRow }[];
  pageInfo: PageInfo;
}

export type TaskCenterEventKind = 'ADDED' | 'CHANGED' | 'REMOVED';
export interface TaskCenterEvent {
  kind: TaskCenterEventKind;
  id: string;
  row: TaskRow | null;
}

export interface Stage {
  stageType: StageType;
  status: StageStatus;
  totalItems: number;
  succeededItems: number;
  failedItems: number;
  skippedItems: number;
  canceledItems: number;
}

/** One slot of a running job (download-1, …) and what it is transferring. */
export interface JobWorker {
  name: string;
  status: string;
  currentDisplayText: string | null;
  downloadedBytes: number;
  totalBytes: number | null;
  speedBytesPerSec: number | null;
  progressPercent: number | null;
  processedCount: number;
  errorCount: number;
  heartbeatAt: DateTime | null;
}

export interface JobEvent {
  at: DateTime;
  kind: string;
}

/** Parameters of a LIBRARY_SCAN job (createJob input and the job's echo). */
export interface LibraryScanParams {
  folder?: string | null;
  readTags?: boolean;
}
/** Parameters of a FIND_DUPLICATES job. */
export interface FindDuplicatesParams {
  byContent?: boolean;
}
/** What createJob takes besides the job type. */
export interface CreateJobInput {
  jobType: JobType;
  libraryScan?: LibraryScanParams;
  findDuplicates?: FindDuplicatesParams;
}

/** Files of one extension; `format` is '' for files without one. */
export interface LibraryFormat {
  format: string;
  files: number;
  bytes: number;
}
export interface LibraryScanResult {
  __typename: 'LibraryScanResult';
  folder: string | null;
  readTags: boolean;
  files: number;
  audioFiles: number;
  totalBytes: number;
  formats: LibraryFormat[];
  /** null when tags were not read. */
  missingTags: number | null;
  unreadableFiles: number | null;
}
export interface DuplicateGroup {
  method: 'content' | 'metadata';
  paths: string[];
}
export interface FindDuplicatesResult {
  __typename: 'FindDuplicatesResult';
  byContent: boolean;
  tracksScanned: number;
  unreadable: number;
  duplicateGroups: number;
  duplicateFiles: number;
  /** Up to 100; the counts cover all. */
  groups: DuplicateGroup[];
}
/** A task job's typed result. */
export type TaskResult = LibraryScanResult | FindDuplicatesResult;

export interface Job {
  id: string;
  jobId: number;
  jobType: JobType;
  displayName: string;
  status: JobStatus;
  lane: string;
  priority: number;
  createdAt: DateTime;
  startedAt: DateTime | null;
  finishedAt: DateTime | null;
  /** Milliseconds from start to finish; null until finished. */
  durationMs: number | null;
  error: string | null;
  canPause: boolean;
  canResume: boolean;
  canCancel: boolean;
  /** A task job's result once completed; null otherwise. */
  taskResult: TaskResult | null;
  stages: Stage[];
  workers: JobWorker[];
  events: JobEvent[];
  /** The playlists the job was created for, with how many of their songs are in the library. */
  playlists: Pick<Playlist, 'id' | 'name' | 'songCount' | 'distinctSongCount' | 'downloadedSongCount'>[];
}

export interface Lane {
  name: string;
  limit: number;
  running: number;
  queued: number;
}

export interface JobPayload {
  __typename: 'JobPayload';
  job: Job;
}
/** The job's status does not allow the action (e.g. pausing a finished job). */
export interface InvalidJobTransitionError {
  __typename: 'InvalidJobTransitionError';
  message: string;
  status: JobStatus;
  action: string;
}
export interface OtherJobError {
  __typename: 'JobNotFoundError' | 'InvalidArgumentError';
  message: string;
}
/** What every job mutation returns. */
export type JobResult = JobPayload | InvalidJobTransitionError | OtherJobError;

/** removeJob's payload: the row that went (as the REMOVED event names it). */
export interface RemoveJobPayload {
  __typename: 'RemoveJobPayload';
  id: string;
  jobId: number;
}
export interface JobNotFoundError {
  __typename: 'JobNotFoundError';
  message: string;
}
export type RemoveJobResult = RemoveJobPayload | InvalidJobTransitionError | JobNotFoundError;

export interface LaneResultLane extends Lane {
  __typename: 'Lane';
}
export interface LaneError {
  __typename: 'InvalidArgumentError';
  message: string;
}
/** What setLaneConcurrency returns. */
export type LaneResult = LaneResultLane | LaneError;

// ---- playlists and downloads ------------------------------------------------------------

export type PlaylistSourceKind = 'FILE' | 'FOLDER' | 'URL' | 'SPOTIFY' | 'MUSICBRAINZ';

/** One playlist as the playlists page lists it. `id` is a global ID. */
export interface Playlist {
  id: string;
  name: string;
  /** Entries as last synced (0 before the first sync). */
  songCount: number;
  /** Different songs among the entries. */
  distinctSongCount: number;
  /** Of the different songs, how many have a file in the library. */
  downloadedSongCount: number;
  wanted: boolean;
  /** Null: never synced. */
  lastSyncedAt: DateTime | null;
  /** The playlist file or URL it is read from. */
  location: string;
  sourceId: string;
}

export interface PlaylistConnection {
  edges: { cursor: string; node: Playlist }[];
  pageInfo: PageInfo;
}

/** Where playlists come from: a file, a watched folder or a URL. */
export interface PlaylistSource {
  id: string;
  location: string;
  kind: PlaylistSourceKind;
  format: string | null;
  playlistCount: number;
  lastReadAt: DateTime | null;
  /** Why the last read failed, naming the file and its line; null after a good read. */
  lastError: string | null;
  createdAt: DateTime;
}

export interface InvalidArgumentError {
  __typename: 'InvalidArgumentError';
  argument: string;
  message: string;
}

export interface PlaylistsPayload {
  __typename: 'PlaylistsPayload';
  playlists: Playlist[];
}
/** What setPlaylistsWanted returns. */
export type SetPlaylistsWantedResult = PlaylistsPayload | InvalidArgumentError;

export interface AddPlaylistSourcePayload {
  __typename: 'AddPlaylistSourcePayload';
  source: PlaylistSource;
  /** The COLLECT_ONLY job that reads the new source (its TaskRow id). */
  collectJobId: string | null;
}
/** What addPlaylistSource returns. */
export type AddPlaylistSourceResult = AddPlaylistSourcePayload | InvalidArgumentError;

export interface RemovePlaylistSourcePayload {
  __typename: 'RemovePlaylistSourcePayload';
  removedId: string;
}
export interface PlaylistSourceNotFoundError {
  __typename: 'PlaylistSourceNotFoundError';
  id: string;
  message: string;
}
/** What removePlaylistSource returns. */
export type RemovePlaylistSourceResult = RemovePlaylistSourcePayload | PlaylistSourceNotFoundError;

/** One busy worker's transfer in a DownloadSpeedEvent. */
export interface WorkerSpeed {
  name: string;
  downloadedBytes: number;
  totalBytes: number | null;
  /** Smoothed from the bytes actually received; null when unknown. */
  speedBytesPerSec: number | null;
  progressPercent: number | null;
  etaSeconds: number | null;
}

/** A job's live download figures (what is in flight now); the last one of an ended job has no workers. */
export interface DownloadSpeedEvent {
  /** The job number (TaskRow.jobId). */
  jobId: number;
  speedBytesPerSec: number | null;
  downloadedBytes: number;
  totalBytes: number | null;
  progressPercent: number | null;
  etaSeconds: number | null;
  workers: WorkerSpeed[];
  at: DateTime;
}

export interface DownloadSpeedLimitPayload {
  __typename: 'DownloadSpeedLimitPayload';
  /** 0: unlimited. */
  bytesPerSecond: number;
}
/** What setDownloadSpeedLimit returns. */
export type DownloadSpeedLimitResult = DownloadSpeedLimitPayload | InvalidArgumentError;

// ---- settings: the Spotify link ---------------------------------------------------------

/** NOT_CONFIGURED: variables are missing (see `missing`); REVOKED: Spotify refused the stored refresh token. */
export type SpotifyLinkState = 'NOT_CONFIGURED' | 'DISCONNECTED' | 'CONNECTED' | 'REVOKED';

/** The link to the Spotify account the sync reads; the API never sends a token. */
export interface SpotifyAccount {
  state: SpotifyLinkState;
  /** Environment variables the connect flow still needs. */
  missing: string[];
  /** The redirect URI to register for the app in Spotify's developer dashboard. */
  redirectUri: string;
  userId: string | null;
  displayName: string | null;
  scopes: string[];
  /** When the current access token expires. */
  expiresAt: DateTime | null;
  connectedAt: DateTime | null;
  /** The last token refresh. */
  refreshedAt: DateTime | null;
  revokedAt: DateTime | null;
  /** Why the last refresh failed. */
  lastError: string | null;
}

/** Where to send the browser: Spotify sends it back to redirectUri, which opens #/settings. */
export interface SpotifyAuthorization {
  __typename: 'SpotifyAuthorization';
  authorizeUrl: string;
  redirectUri: string;
}
export interface SpotifyNotConfiguredError {
  __typename: 'SpotifyNotConfiguredError';
  message: string;
  missing: string[];
}
/** What connectSpotify returns. */
export type ConnectSpotifyResult = SpotifyAuthorization | SpotifyNotConfiguredError;

// ---- settings: the slskd and MusicBrainz connections ------------------------------------

/** SETTINGS: set in the SPA; ENVIRONMENT: from its environment variable; UNSET: neither. */
export type SettingSource = 'SETTINGS' | 'ENVIRONMENT' | 'UNSET';

/** The fields of a connection, as the input and `sources` name them (and InvalidArgumentError.argument). */
export const CONNECTION_FIELDS = ['slskdUrl', 'slskdApiKey', 'slskdDownloadsDir', 'musicbrainzUrl', 'musicbrainzContact'] as const;
export type ConnectionField = (typeof CONNECTION_FIELDS)[number];

/** The slskd and MusicBrainz connections in force; the slskd API key is never sent, only whether one is set. */
export interface ServiceConnection {
  slskdUrl: string | null;
  slskdApiKeySet: boolean;
  /** slskd's downloads folder as Roadie sees it. */
  slskdDownloadsDir: string | null;
  musicbrainzUrl: string | null;
  /** The contact in the MusicBrainz User-Agent. */
  musicbrainzContact: string | null;
  sources: Record<ConnectionField, SettingSource>;
}

/** A change: a value sets a field, "" clears what was set in the SPA, absent leaves it. */
export type ServiceConnectionInput = Partial<Record<ConnectionField, string>>;

export interface ServiceConnectionPayload {
  __typename: 'ServiceConnectionPayload';
  connection: ServiceConnection;
}
/** What updateServiceConnection returns: the connection now, or the bad field (nothing changed). */
export type UpdateServiceConnectionResult = ServiceConnectionPayload | InvalidArgumentError;

// ---- automation: watched artists and missing albums -------------------------------------

/** SPOTIFY: followed on Spotify (comes back while followed); MANUAL: watched by hand. */
export type WatchOrigin = 'SPOTIFY' | 'MANUAL';

/** An artist the Watchlist (new releases) and Discography (missing albums) daemons look after. */
export interface WatchedArtist {
  id: string;
  name: string;
  /** The MusicBrainz artist, once found. */
  mbid: string | null;
  origin: WatchOrigin;
  /** The Watchlist's last look. */
  checkedAt: DateTime | null;
  /** The Discography daemon's last look. */
  discographyAt: DateTime | null;
  lastError: string | null;
  missingAlbums: number;
  addedAt: DateTime;
}

/** An album or EP of a watched artist on MusicBrainz that the library has no song of. */
export interface MissingAlbum {
  id: string;
  artistId: string;
  artistName: string;
  releaseGroupMbid: string;
  title: string;
  primaryType: string | null;
  /** YYYY, YYYY-MM or YYYY-MM-DD, as MusicBrainz has it. */
  firstReleaseDate: string | null;
  foundAt: DateTime;
}

/** The automation daemons together and what they look after. */
export interface Automation {
  running: boolean;
  watchlistRunning: boolean;
  discographyRunning: boolean;
  qualityUpgradeRunning: boolean;
  /** How many artists are watched, and albums missing, in all. */
  watchedArtists: number;
  missingAlbums: number;
  /** Environment variables the MusicBrainz-backed daemons still need. */
  missing: string[];
  /** Watchlist, Discography and Quality Upgrade, in that order. */
  workers: Worker[];
}

export interface WatchArtistPayload {
  __typename: 'WatchArtistPayload';
  artist: WatchedArtist;
}
/** What watchArtist returns: the artist, or why not (an empty name, one watched already). */
export type WatchArtistResult = WatchArtistPayload | InvalidArgumentError;
