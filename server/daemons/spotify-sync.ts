import type { DaemonDefinition } from '../domain/daemons/catalog.js';
import { dueKinds, failed, hasErrors, rateLimited, synced, syncStateOf, SYNC_KINDS, type SyncKind, type SyncState } from '../domain/spotify/sync-plan.js';
import { SpotifyError } from '../integrations/spotify.js';
import { Daemon, type ActivityReport, type CycleContext, type DetailsBase } from './base.js';

/** How often wanted playlists are synced again (the playlists' schedule). */
const WANTED_EVERY_MS = 10 * 60_000;

interface Stats {
  /** When the wanted playlists were last queued for a sync (the local part, without Spotify). */
  wanted: string | null;
  /** The Spotify schedule (server/domain/spotify/sync-plan.ts), as stored. */
  sync: SyncState | null;
  /** Cycles with a failed Spotify sync. */
  errors: number;
}

export interface SpotifySyncDetails extends DetailsBase {
  readonly kind: 'spotify_sync';
  readonly checkIntervalSeconds: number;
  readonly lastSyncs: Readonly<Record<SyncKind, Date | null>>;
  readonly lastErrors: readonly { readonly kind: SyncKind; readonly message: string }[];
  /** No request to Spotify before this (after a 429). */
  readonly rateLimitedUntil: Date | null;
  readonly hasErrors: boolean;
  readonly connected: boolean;
}

const LABEL: Record<SyncKind, string> = { artists: 'followed artists', playlists: 'playlists', likedSongs: 'liked songs', savedAlbums: 'saved albums' };

/**
 * Checks every 60 s. Wanted playlists (any source) are synced then downloaded every 10 minutes;
 * with Spotify linked, followed artists (5 min), playlists (10 min), liked songs (15 min) and
 * saved albums (30 min) are read on their own schedules, and a 429 pauses them all (Retry-After,
 * else doubling from 5 min).
 */
export class SpotifySyncDaemon extends Daemon<Stats> {
  readonly definition: DaemonDefinition = {
    key: 'spotify_sync',
    displayName: 'Spotify Sync',
    category: 'SYNC',
    priority: 80,
    required: false,
    dependsOn: ['token_refresh'],
    defaultEnabled: true,
    defaultIntervalSeconds: 60,
  };
  #connected = false;

  protected initialStats(): Stats {
    return { wanted: null, sync: null, errors: 0 };
  }

  async cycle(ctx: CycleContext): Promise<string | ActivityReport> {
    const local = await this.syncWanted(ctx);
    const spotify = this.env.spotifySync;
    this.#connected = spotify ? await spotify.connected() : false;
    if (!spotify || !this.#connected) return local ?? 'Waiting for Spotify to be connected';

    let state = syncStateOf(this.stats.sync);
    const due = dueKinds(state, Date.now());
    if (due.length === 0) {
      const waiting = state.backoffUntil !== null && Date.now() < state.backoffUntil;
      return local ?? (waiting ? `Spotify asked Roadie to slow down; next request after ${new Date(state.backoffUntil as number).toISOString()}` : 'Spotify library is in sync');
    }
    let last: ActivityReport | null = null;
    const failures: string[] = [];
    for (const kind of due) {
      if (ctx.signal.aborted) break;
      ctx.report(`Syncing ${LABEL[kind]} from Spotify`);
      try {
        last = await spotify.sync(kind, ctx.signal);
        state = synced(state, kind, Date.now());
      } catch (err) {
        if (err instanceof SpotifyError && err.code === 'rate_limited') {
          state = rateLimited(state, kind, Date.now(), err.retryAfterMs);
          last = { message: state.kinds[kind].lastError as string };
          break; // the limit is the app's: nothing else is asked until the pause is over
        }
        const message = err instanceof Error ? err.message : String(err);
        state = failed(state, kind, Date.now(), message);
        failures.push(`${LABEL[kind]}: ${message}`);
      } finally {
        this.stats.sync = state;
      }
    }
    if (failures.length > 0) {
      this.stats.errors++;
      throw new Error(`Spotify sync failed for ${failures.join('; ')}`);
    }
    return last ?? local ?? 'Spotify library is in sync';
  }

  /** Wanted playlists are synced (then downloaded) on the playlists' schedule, Spotify or not. */
  private async syncWanted(ctx: CycleContext): Promise<ActivityReport | null> {
    const last = this.stats.wanted ? Date.parse(this.stats.wanted) : null;
    if (!this.env.library || (last !== null && Date.now() - last < WANTED_EVERY_MS)) return null;
    ctx.report('Queuing a sync of the wanted playlists');
    const r = await this.env.library.syncWanted(this.definition.key);
    // nothing queued: the next cycle looks again (one cheap query)
    if ('skipped' in r) return r.skipped === 'none wanted' ? null : { message: 'The wanted playlists are being synced already' };
    this.stats.wanted = new Date().toISOString();
    return { message: `Queued a sync then download of ${r.playlists} wanted playlist${r.playlists === 1 ? '' : 's'}`, jobId: String(r.jobId), jobType: 'sync_download' };
  }

  details(base: DetailsBase): SpotifySyncDetails {
    const s = syncStateOf(this.stats.sync);
    const at = (k: SyncKind): Date | null => (s.kinds[k].lastSyncAt === null ? null : new Date(s.kinds[k].lastSyncAt as number));
    return {
      ...base,
      kind: 'spotify_sync',
      checkIntervalSeconds: base.intervalSeconds,
      lastSyncs: { artists: at('artists'), playlists: at('playlists'), likedSongs: at('likedSongs'), savedAlbums: at('savedAlbums') },
      lastErrors: SYNC_KINDS.flatMap((k) => (s.kinds[k].lastError === null ? [] : [{ kind: k, message: s.kinds[k].lastError as string }])),
      rateLimitedUntil: s.backoffUntil !== null && s.backoffUntil > Date.now() ? new Date(s.backoffUntil) : null,
      hasErrors: hasErrors(s) || base.lastError !== null,
      connected: this.#connected,
    };
  }
}
