import path from 'node:path';
import { z } from 'zod';

/** Environment variables Roadie reads, with defaults that serve a fresh machine. */
const boolish = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalUrl = z
  .string()
  .trim()
  .transform((v) => (v === '' ? undefined : v))
  .pipe(z.url({ protocol: /^https?$/ }).optional())
  .optional();

const envSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(4000),
  HOST: z.string().min(1).default('0.0.0.0'),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('production'),
  ROADIE_DATA_DIR: z.string().min(1).default('./data'),
  ROADIE_LIBRARY_DIR: z.string().min(1).optional(),
  ROADIE_UPLOAD_DIR: z.string().min(1).optional(),
  ROADIE_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  ROADIE_LOG_PRETTY: boolish.optional(),
  ROADIE_AUTOSTART: boolish.default(true),
  ROADIE_CLEANUP_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(7),
  ROADIE_JOB_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
  ROADIE_DAEMON_RESTART_BASE_MS: z.coerce.number().int().min(1).max(600_000).default(1000),
  ROADIE_ACTIVITY_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(10_000).default(250),
  ROADIE_SERVICE_PROBE_INTERVAL_SECONDS: z.coerce.number().int().min(5).max(86_400).default(60),
  ROADIE_SERVICE_PROBE_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(5000),
  ROADIE_SPOTIFY_URL: optionalUrl,
  ROADIE_SLSKD_URL: optionalUrl,
  ROADIE_SLSKD_API_KEY: z.string().min(1).optional(),
  ROADIE_SLSKD_DOWNLOADS_DIR: z.string().min(1).optional(),
  ROADIE_SLSKD_POLL_MS: z.coerce.number().int().min(20).max(60_000).default(1000),
  ROADIE_QUALITY_MIN_KBPS: z.coerce.number().int().min(32).max(2000).default(256),
  ROADIE_SPOTIFY_CLIENT_ID: z.string().trim().min(1).optional(),
  ROADIE_SPOTIFY_ACCOUNTS_URL: optionalUrl,
  ROADIE_SECRET_KEY: z.string().min(16, 'must be at least 16 characters (for example: openssl rand -base64 32)').optional(),
  ROADIE_PUBLIC_URL: optionalUrl,
  ROADIE_MUSICBRAINZ_URL: optionalUrl,
  ROADIE_MUSICBRAINZ_CONTACT: z.string().trim().min(3).optional(),
  ROADIE_MUSICBRAINZ_MIN_INTERVAL_MS: z.coerce.number().int().min(0).max(60_000).default(1000),
  ROADIE_COVERART_URL: optionalUrl,
  ROADIE_DEEZER_URL: optionalUrl,
  ROADIE_IDLE_V8_WORKERS: boolish.optional(),
});

export type ServiceName = 'spotify' | 'slskd' | 'musicbrainz' | 'coverart' | 'deezer';

export interface Config {
  port: number;
  host: string;
  isDev: boolean;
  dataDir: string;
  dbFile: string;
  libraryDir: string;
  /** A second library root the upload stage copies finished files to; none when not set. */
  uploadDir: string | null;
  tempDir: string;
  logLevel: z.infer<typeof envSchema>['ROADIE_LOG_LEVEL'];
  logPretty: boolean;
  autostart: boolean;
  cleanupRetentionDays: number;
  /** Cleanup removes finished jobs (with their stages, items and events) older than this. */
  jobRetentionDays: number;
  daemonRestartBaseMs: number;
  activityMinIntervalMs: number;
  serviceProbeIntervalSeconds: number;
  serviceProbeTimeoutMs: number;
  services: Record<ServiceName, string | undefined>;
  /** slskd's API key (X-API-Key); its probe then asks slskd's application endpoint with it. */
  slskdApiKey: string | null;
  /** slskd's downloads folder as Roadie sees it; with it (and the URL and key) slskd is the download backend. */
  slskdDownloadsDir: string | null;
  /** Between polls of a slskd search or transfer. */
  slskdPollMs: number;
  /** Lossy library files below this bit rate get an upgrade search (Quality Upgrade daemon). */
  qualityMinKbps: number;
  /**
   * Run V8's background threads at SCHED_IDLE (server/process/v8-workers.ts); default on, off
   * under NODE_ENV=test (the test runner's own process).
   */
  idleV8Workers: boolean;
  spotify: {
    /** The Spotify app's client id (developer.spotify.com dashboard); the connect flow needs it. */
    clientId: string | null;
    /** The Accounts service (authorize and token endpoints). */
    accountsUrl: string;
    /** The Web API base, ending in /v1. */
    apiUrl: string;
  };
  /** Seals secrets at rest (the Spotify refresh token); the connect flow needs it. */
  secretKey: string | null;
  musicbrainz: {
    /** A URL or e-mail address for MusicBrainz's User-Agent rule; the automation daemons need it. */
    contact: string | null;
    /** Least time between two requests (MusicBrainz allows one a second). */
    minIntervalMs: number;
  };
  /** Where browsers reach Roadie (OAuth redirect URIs); default http://127.0.0.1:<port>. */
  publicUrl: string | null;
}

export const SPOTIFY_ACCOUNTS_URL = 'https://accounts.spotify.com';
export const SPOTIFY_API_URL = 'https://api.spotify.com/v1';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** Reads and validates the environment in one place; a bad value names its variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => {
      const name = issue.path.join('.') || '(environment)';
      return `  ${name}=${JSON.stringify(env[name] ?? '')}: ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.ROADIE_DATA_DIR);
  return {
    port: e.PORT,
    host: e.HOST,
    isDev: e.NODE_ENV === 'development',
    dataDir,
    dbFile: path.join(dataDir, 'roadie.sqlite'),
    libraryDir: path.resolve(e.ROADIE_LIBRARY_DIR ?? path.join(dataDir, 'library')),
    uploadDir: e.ROADIE_UPLOAD_DIR ? path.resolve(e.ROADIE_UPLOAD_DIR) : null,
    tempDir: path.join(dataDir, 'tmp'),
    logLevel: e.ROADIE_LOG_LEVEL,
    logPretty: e.ROADIE_LOG_PRETTY ?? Boolean(process.stdout.isTTY),
    autostart: e.ROADIE_AUTOSTART,
    cleanupRetentionDays: e.ROADIE_CLEANUP_RETENTION_DAYS,
    jobRetentionDays: e.ROADIE_JOB_RETENTION_DAYS,
    daemonRestartBaseMs: e.ROADIE_DAEMON_RESTART_BASE_MS,
    activityMinIntervalMs: e.ROADIE_ACTIVITY_MIN_INTERVAL_MS,
    serviceProbeIntervalSeconds: e.ROADIE_SERVICE_PROBE_INTERVAL_SECONDS,
    serviceProbeTimeoutMs: e.ROADIE_SERVICE_PROBE_TIMEOUT_MS,
    slskdApiKey: e.ROADIE_SLSKD_API_KEY ?? null,
    slskdDownloadsDir: e.ROADIE_SLSKD_DOWNLOADS_DIR ? path.resolve(e.ROADIE_SLSKD_DOWNLOADS_DIR) : null,
    slskdPollMs: e.ROADIE_SLSKD_POLL_MS,
    qualityMinKbps: e.ROADIE_QUALITY_MIN_KBPS,
    idleV8Workers: e.ROADIE_IDLE_V8_WORKERS ?? e.NODE_ENV !== 'test',
    spotify: {
      clientId: e.ROADIE_SPOTIFY_CLIENT_ID ?? null,
      accountsUrl: e.ROADIE_SPOTIFY_ACCOUNTS_URL ?? SPOTIFY_ACCOUNTS_URL,
      apiUrl: e.ROADIE_SPOTIFY_URL ?? SPOTIFY_API_URL,
    },
    secretKey: e.ROADIE_SECRET_KEY ?? null,
    musicbrainz: { contact: e.ROADIE_MUSICBRAINZ_CONTACT ?? null, minIntervalMs: e.ROADIE_MUSICBRAINZ_MIN_INTERVAL_MS },
    publicUrl: e.ROADIE_PUBLIC_URL ? e.ROADIE_PUBLIC_URL.replace(/\/+$/, '') : null,
    services: {
      // With a client id, Spotify is configured at its public address unless another is given.
      spotify: e.ROADIE_SPOTIFY_URL ?? (e.ROADIE_SPOTIFY_CLIENT_ID ? SPOTIFY_API_URL : undefined),
      slskd: e.ROADIE_SLSKD_URL,
      musicbrainz: e.ROADIE_MUSICBRAINZ_URL,
      coverart: e.ROADIE_COVERART_URL,
      deezer: e.ROADIE_DEEZER_URL,
    },
  };
}
