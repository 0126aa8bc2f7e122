import type { OperationResult } from '@urql/core';
import { SvelteSet } from 'svelte/reactivity';
import { client } from '../graphql/client.js';
import {
  AddPlaylistSourceMutation,
  DownloadSelectedPlaylistsMutation,
  PlaylistsChangedSubscription,
  PlaylistSourcesQuery,
  PlaylistsQuery,
  RemovePlaylistSourceMutation,
  SetPlaylistsWantedMutation,
  SyncSelectedPlaylistsMutation,
  SyncThenDownloadPlaylistsMutation,
} from '../graphql/documents.js';
import type { Job, Playlist, PlaylistConnection, PlaylistSource } from '../graphql/types.js';
import { jobErrorText } from '../task-text.js';
import { confirmation } from './confirm.svelte.js';
import { connection } from './connection.svelte.js';
import { locale } from './locale.svelte.js';
import type { ControlFeedback } from './workers.svelte.js';

/** Playlists asked for a page (the API's most). */
const PAGE_SIZE = 500;
/** Job moves closer together than this share one re-read of the playlists. */
const REFRESH_GAP_MS = 1000;

/** The bulk actions on selected playlists; each creates one job. */
export type PlaylistJobAction = 'sync' | 'download' | 'syncThenDownload';

const bulkDocuments = {
  sync: SyncSelectedPlaylistsMutation,
  download: DownloadSelectedPlaylistsMutation,
  syncThenDownload: SyncThenDownloadPlaylistsMutation,
} as const;


/**
 * The playlists page: every playlist and source, a selection, and the bulk actions. The lists
 * are read again when the playlistsChanged subscription says they changed (coalesced to one
 * read a second), and after a reconnect.
 */
class PlaylistsState {
  list = $state.raw<Playlist[]>([]);
  sources = $state.raw<PlaylistSource[]>([]);
  loading = $state(true);
  loadError = $state<string | null>(null);

  /** Selected playlist ids. */
  selected = new SvelteSet<string>();
  /** The bulk action in flight, if any (the buttons wait meanwhile). */
  busy = $state<PlaylistJobAction | 'wanted' | 'unwanted' | null>(null);
  /** The answer to the last bulk action that did not lead elsewhere (errors, wanted flags). */
  feedback = $state<ControlFeedback | null>(null);

  addingSource = $state(false);
  sourceFeedback = $state<ControlFeedback | null>(null);
  /** Sources with a removal in flight. */
  removing = new SvelteSet<string>();

  #snapshotSeq = 0;
  #refreshTimer: ReturnType<typeof setTimeout> | null = null;
  #lastRefresh = 0;

  /** Playlists in list order that are selected (the order their work should go). */
  selection = $derived(this.list.filter((p) => this.selected.has(p.id)));

  follow(): () => void {
    void this.refresh();
    const subscription = client.subscription(PlaylistsChangedSubscription, {}).subscribe((result) => {
      if (result.data?.playlistsChanged) this.#scheduleRefresh();
    });
    const stopReconnect = connection.onReconnect(() => void this.refresh());
    return () => {
      subscription.unsubscribe();
      stopReconnect();
      if (this.#refreshTimer !== null) clearTimeout(this.#refreshTimer);
      this.#refreshTimer = null;
    };
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

  /** Reads every playlist (page by page) and every source afresh. */
  async refresh(): Promise<void> {
    const seq = ++this.#snapshotSeq;
    this.#lastRefresh = Date.now();
    const [playlists, sources] = await Promise.all([this.#fetchPlaylists(), this.#fetchSources()]);
    if (seq !== this.#snapshotSeq) return; // a newer read has started; it wins
    this.loading = false;
    if (typeof playlists === 'string' || typeof sources === 'string') {
      this.loadError = typeof playlists === 'string' ? playlists : (sources as string);
      return;
    }
    this.loadError = null;
    this.list = playlists;
    this.sources = sources;
    const ids = new Set(playlists.map((p) => p.id));
    for (const id of [...this.selected]) if (!ids.has(id)) this.selected.delete(id);
  }

  /** Every playlist, or the error's message. */
  async #fetchPlaylists(): Promise<Playlist[] | string> {
    const all: Playlist[] = [];
    let after: string | null = null;
    for (;;) {
      const result: OperationResult<{ playlists: PlaylistConnection }> = await client
        .query(PlaylistsQuery, { first: PAGE_SIZE, after }, { requestPolicy: 'network-only' })
        .toPromise();
      if (!result.data) return result.error?.message ?? 'No data';
      const page: PlaylistConnection = result.data.playlists;
      all.push(...page.edges.map((edge) => edge.node));
      if (!page.pageInfo.hasNextPage || page.pageInfo.endCursor === null) return all;
      after = page.pageInfo.endCursor;
    }
  }

  async #fetchSources(): Promise<PlaylistSource[] | string> {
    const result = await client.query(PlaylistSourcesQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    return result.data ? result.data.playlistSources : (result.error?.message ?? 'No data');
  }

  // ---- selection ---------------------------------------------------------------------------

  toggle(id: string): void {
    if (this.selected.has(id)) this.selected.delete(id);
    else this.selected.add(id);
  }

  /** Selects every playlist, or none when all are selected already. */
  toggleAll(): void {
    if (this.list.length > 0 && this.selection.length === this.list.length) this.selected.clear();
    else for (const p of this.list) this.selected.add(p.id);
  }

  // ---- bulk actions ------------------------------------------------------------------------

  /** Creates the one job for the selected playlists; the job, or null when refused (said in `feedback`). */
  async runJob(action: PlaylistJobAction): Promise<Job | null> {
    const playlistIds = this.selection.map((p) => p.id);
    if (playlistIds.length === 0 || this.busy) return null;
    this.busy = action;
    this.feedback = null;
    try {
      const response = await client.mutation(bulkDocuments[action], { playlistIds }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.feedback = { tone: 'error', message: response.error?.message ?? 'No response' };
        return null;
      }
      if (result.__typename !== 'JobPayload') {
        this.feedback = { tone: 'error', message: jobErrorText(result, locale.current) ?? '' };
        return null;
      }
      return result.job;
    } finally {
      this.busy = null;
    }
  }

  /** Marks the selected playlists wanted or not; the answer carries them as they are now. */
  async setWanted(wanted: boolean): Promise<void> {
    const playlistIds = this.selection.map((p) => p.id);
    if (playlistIds.length === 0 || this.busy) return;
    this.busy = wanted ? 'wanted' : 'unwanted';
    this.feedback = null;
    try {
      const response = await client.mutation(SetPlaylistsWantedMutation, { playlistIds, wanted }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.feedback = { tone: 'error', message: response.error?.message ?? 'No response' };
        return;
      }
      if (result.__typename !== 'PlaylistsPayload') {
        this.feedback = { tone: 'error', message: result.message };
        return;
      }
      const changed = new Map(result.playlists.map((p) => [p.id, p]));
      this.list = this.list.map((p) => changed.get(p.id) ?? p);
      this.feedback = {
        tone: 'info',
        message: locale.t(wanted ? 'playlist.markedWanted' : 'playlist.unmarkedWanted', { count: result.playlists.length }),
      };
    } finally {
      this.busy = null;
    }
  }

  dismissFeedback(): void {
    this.feedback = null;
  }

  // ---- sources -----------------------------------------------------------------------------

  /** Adds a source; true when the server took it (its collect job then reads it). */
  async addSource(location: string): Promise<boolean> {
    this.addingSource = true;
    this.sourceFeedback = null;
    try {
      const response = await client.mutation(AddPlaylistSourceMutation, { location }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.sourceFeedback = { tone: 'error', message: response.error?.message ?? 'No response' };
        return false;
      }
      if (result.__typename !== 'AddPlaylistSourcePayload') {
        this.sourceFeedback = { tone: 'error', message: result.message };
        return false;
      }
      this.sources = [...this.sources.filter((s) => s.id !== result.source.id), result.source];
      this.sourceFeedback = { tone: 'info', message: locale.t('source.added', { location: result.source.location }) };
      return true;
    } finally {
      this.addingSource = false;
    }
  }

  /** Removing a source removes its playlists too, so it asks first. */
  async removeSource(source: PlaylistSource): Promise<void> {
    const confirmed = await confirmation.ask({ kind: 'remove-source', location: source.location, playlists: source.playlistCount });
    if (!confirmed) return;
    this.removing.add(source.id);
    this.sourceFeedback = null;
    try {
      const response = await client.mutation(RemovePlaylistSourceMutation, { id: source.id }).toPromise();
      const result = response.data?.result;
      if (!result) this.sourceFeedback = { tone: 'error', message: response.error?.message ?? 'No response' };
      else if (result.__typename !== 'RemovePlaylistSourcePayload') this.sourceFeedback = { tone: 'error', message: result.message };
      await this.refresh();
    } finally {
      this.removing.delete(source.id);
    }
  }

  dismissSourceFeedback(): void {
    this.sourceFeedback = null;
  }
}

export const playlists = new PlaylistsState();
