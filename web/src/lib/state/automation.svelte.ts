import { SvelteSet } from 'svelte/reactivity';
import { client } from '../graphql/client.js';
import { AutomationQuery, UnwatchArtistMutation, WatchArtistMutation } from '../graphql/documents.js';
import type { Automation, MissingAlbum, WatchedArtist } from '../graphql/types.js';
import { confirmation } from './confirm.svelte.js';
import { connection } from './connection.svelte.js';
import { locale } from './locale.svelte.js';
import type { ControlFeedback } from './workers.svelte.js';

/** The automation daemons, in the order the API lists them (until it has answered). */
export const AUTOMATION_DAEMONS = ['watchlist', 'discography', 'quality_upgrade'] as const;
/** Missing albums asked for (newest first); the summary's count says how many there are in all. */
export const MISSING_ALBUMS_SHOWN = 100;
/** Run ends closer together than this share one re-read. */
const REFRESH_GAP_MS = 500;

/** A daemon's last run, as the live workers state has it. */
export interface DaemonRun {
  name: string;
  lastRunAt: string | null;
}

/**
 * The automation page: the summary, the watched artists and the missing albums. None of them
 * has a subscription, so they are read when the page opens, after a watch or unwatch, after a
 * reconnect, and whenever one of the automation daemons finishes a run (its lastRunAt moves in
 * the live workers state, see `noteRuns`).
 */
class AutomationState {
  summary = $state.raw<Automation | null>(null);
  artists = $state.raw<WatchedArtist[]>([]);
  albums = $state.raw<MissingAlbum[]>([]);
  loading = $state(true);
  loadError = $state<string | null>(null);

  /** A watchArtist request is in flight. */
  watching = $state(false);
  /** Why the last name was refused (shown under the field); null once it is taken or edited. */
  watchError = $state<string | null>(null);
  /** Artists with an unwatch in flight. */
  removing = new SvelteSet<string>();
  /** The answer to the last watch or unwatch that is worth a word (added, failed). */
  feedback = $state<ControlFeedback | null>(null);

  #snapshotSeq = 0;
  #lastRuns = new Map<string, string | null>();
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #lastRefresh = 0;

  /** Reads everything now and again after a reconnect; returns the function that stops. */
  follow(): () => void {
    void this.refresh();
    const stopReconnect = connection.onReconnect(() => void this.refresh());
    return () => {
      stopReconnect();
      if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
      this.#refreshTimer = null;
      this.#lastRuns.clear();
    };
  }

  /**
   * Called with the automation daemons' last runs whenever they change: a run that ended may
   * have found artists on MusicBrainz or missing albums, so the lists are read again. A daemon
   * seen for the first time is only noted.
   */
  noteRuns(runs: readonly DaemonRun[]): void {
    let ended = false;
    for (const { name, lastRunAt } of runs) {
      if (this.#lastRuns.has(name) && this.#lastRuns.get(name) !== lastRunAt) ended = true;
      this.#lastRuns.set(name, lastRunAt);
    }
    if (ended) this.#scheduleRefresh();
  }

  /** One re-read soon: at once after a quiet spell, else once the gap since the last has passed. */
  #scheduleRefresh(): void {
    if (this.#refreshTimer !== null) return;
    const wait = Math.max(0, this.#lastRefresh + REFRESH_GAP_MS - Date.now());
    this.#refreshTimer = setTimeout(() => {
      this.#refreshTimer = null;
      void this.refresh();
    }, wait);
  }

  /** Reads the summary, the artists and the albums afresh (one request). */
  async refresh(): Promise<void> {
    const seq = ++this.#snapshotSeq;
    this.#lastRefresh = Date.now();
    const result = await client
      .query(AutomationQuery, { first: MISSING_ALBUMS_SHOWN }, { requestPolicy: 'network-only' })
      .toPromise();
    if (seq !== this.#snapshotSeq) return; // a newer read has started; it wins
    this.loading = false;
    if (!result.data) {
      this.loadError = result.error?.message ?? 'No data';
      return;
    }
    this.loadError = null;
    this.summary = result.data.automation;
    this.artists = result.data.watchedArtists;
    this.albums = result.data.missingAlbums;
  }

  /** Watches an artist by name; true when the server took it (the field is then cleared). */
  async watch(name: string): Promise<boolean> {
    this.watching = true;
    this.watchError = null;
    this.feedback = null;
    try {
      const response = await client.mutation(WatchArtistMutation, { name }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.watchError = response.error?.message ?? 'No response';
        return false;
      }
      if (result.__typename !== 'WatchArtistPayload') {
        this.watchError = result.message;
        return false;
      }
      const { artist } = result;
      this.artists = [...this.artists.filter((a) => a.id !== artist.id), artist].sort((a, b) =>
        a.name.localeCompare(b.name, locale.current, { sensitivity: 'base' }),
      );
      this.feedback = { tone: 'info', message: locale.t('automation.watch.added', { name: artist.name }) };
      await this.refresh();
      return true;
    } finally {
      this.watching = false;
    }
  }

  /** Stops watching after a yes; its missing albums go too. */
  async unwatch(artist: WatchedArtist): Promise<void> {
    const confirmed = await confirmation.ask({
      kind: 'unwatch-artist',
      artist: artist.name,
      followed: artist.origin === 'SPOTIFY',
    });
    if (!confirmed) return;
    this.removing.add(artist.id);
    this.feedback = null;
    try {
      const response = await client.mutation(UnwatchArtistMutation, { id: artist.id }).toPromise();
      if (response.error || !response.data) {
        this.feedback = { tone: 'error', message: response.error?.message ?? 'No response' };
      } else {
        this.artists = this.artists.filter((a) => a.id !== artist.id);
        this.albums = this.albums.filter((album) => album.artistId !== artist.id);
      }
      await this.refresh();
    } finally {
      this.removing.delete(artist.id);
    }
  }

  clearWatchError(): void {
    this.watchError = null;
  }

  dismissFeedback(): void {
    this.feedback = null;
  }
}

export const automation = new AutomationState();
