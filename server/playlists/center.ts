import fs from 'node:fs/promises';
import path from 'node:path';
import type { JobType } from '../domain/jobs/types.js';
import { isPlaylistFormat, type PlaylistFormat } from '../domain/playlists/types.js';
import type { PlaylistListRow, PlaylistRepository, SourceRow } from '../db/repositories/playlist.repository.js';
import type { PlaylistSourceKind } from '../db/entities/library.entity.js';
import type { EventBus } from '../events/bus.js';
import type { PlaylistsChangeReason } from '../events/topics.js';
import type { JobResult, TaskCenter, TaskRowView } from '../jobs/task-center.js';

export type PlaylistError =
  | { kind: 'invalidArgument'; argument: string; message: string }
  | { kind: 'sourceNotFound'; id: string; message: string };

export type InvalidArgument = Extract<PlaylistError, { kind: 'invalidArgument' }>;

export type SourceResult = { ok: true; source: SourceRow; job: TaskRowView | null } | { ok: false; error: InvalidArgument };

/** The bulk actions on selected playlists and the job type each creates. */
export const BULK_JOB_TYPES = {
  sync: 'sync_only',
  download: 'download_only',
  syncThenDownload: 'sync_download',
} as const satisfies Record<string, JobType>;
export type BulkAction = keyof typeof BULK_JOB_TYPES;

/**
 * Playlists and their sources as the API sees them: sources are added (then collected by a
 * job), listed and removed; bulk actions create one job scoped to the chosen playlists.
 */
export class PlaylistCenter {
  constructor(
    private readonly repo: PlaylistRepository,
    private readonly tasks: TaskCenter,
    private readonly bus: EventBus,
  ) {}

  /** Tells subscribers (and the folder watcher) that playlists or sources changed; they read them again. */
  changed(reason: PlaylistsChangeReason): void {
    this.bus.publish('playlists:changed', { reason, at: new Date() });
  }

  sources(): Promise<SourceRow[]> {
    return this.repo.sources();
  }

  page(first: number, afterId: number | null): Promise<{ rows: PlaylistListRow[]; hasNextPage: boolean }> {
    return this.repo.page(first, afterId);
  }

  async byId(id: number): Promise<PlaylistListRow | null> {
    return (await this.repo.byIds([id]))[0] ?? null;
  }

  /** A job's chosen playlists with their song and download counts (its playlist progress). */
  ofJob(jobId: number): Promise<PlaylistListRow[]> {
    return this.repo.ofJob(jobId);
  }

  /**
   * A watched folder changed: its playlists are collected again, synced, and the wanted ones
   * downloaded (one CATALOG_SYNC job for the source, unless one from the watcher is still waiting or running).
   */
  async folderChanged(sourceId: number): Promise<number | null> {
    const requestedBy = `folder-watch:${sourceId}`;
    if (await this.tasks.hasLiveJob('catalog_sync', requestedBy)) return null;
    const r = await this.tasks.createJob({ jobType: 'catalog_sync', sourceIds: [sourceId], requestedBy });
    return r.ok ? r.job.jobId : null;
  }

  /** Ids of these that exist (the task center checks a job's playlists with it). */
  async existing(ids: readonly number[]): Promise<Set<number>> {
    return new Set((await this.repo.byIds(ids)).map((p) => p.id));
  }

  /**
   * Adds a playlist file, a folder of them, or an http(s) URL, and queues a collect job for it
   * (its playlists appear when the job has read it). `format` overrides detection.
   */
  async addSource(location: string, format: string | null, requestedBy: string | null): Promise<SourceResult> {
    const where = await classify(location.trim());
    if ('error' in where) return { ok: false, error: { kind: 'invalidArgument', argument: 'location', message: where.error } };
    if (format !== null && !isPlaylistFormat(format)) {
      return { ok: false, error: { kind: 'invalidArgument', argument: 'format', message: `format must be one of m3u, m3u8, pls, xspf, json` } };
    }
    const id = await this.repo.addSource(where.kind, where.location, format as PlaylistFormat | null);
    if (id === null) return { ok: false, error: { kind: 'invalidArgument', argument: 'location', message: `${where.location} is a source already` } };
    const job = await this.tasks.createJob({ jobType: 'collect_only', sourceIds: [id], requestedBy });
    const [source] = await this.repo.sources([id]);
    this.changed('sourceAdded');
    return { ok: true, source: source!, job: job.ok ? job.job : null };
  }

  /** Reads a source again (a COLLECT_ONLY job for it): new files become playlists, renamed ones follow, gone ones go. */
  async reread(id: number, requestedBy: string | null): Promise<{ ok: true; job: TaskRowView } | { ok: false; error: Extract<PlaylistError, { kind: 'sourceNotFound' }> }> {
    const [source] = await this.repo.sources([id]);
    if (!source) return { ok: false, error: { kind: 'sourceNotFound', id: String(id), message: `Playlist source ${id} not found` } };
    const r = await this.tasks.createJob({ jobType: 'collect_only', sourceIds: [id], requestedBy });
    if (!r.ok) throw new Error(r.error.message); // a collect job of an existing source is always valid
    return { ok: true, job: r.job };
  }

  /** Removes a source with its playlists; running jobs skip what went with it. */
  async removeSource(id: number): Promise<{ ok: true; id: number } | { ok: false; error: Extract<PlaylistError, { kind: 'sourceNotFound' }> }> {
    if (!(await this.repo.removeSource(id))) return { ok: false, error: { kind: 'sourceNotFound', id: String(id), message: `Playlist source ${id} not found` } };
    this.changed('sourceRemoved');
    return { ok: true, id };
  }

  /** One job for the chosen playlists, in the order given; an empty list or an unknown id creates nothing. */
  async bulk(action: BulkAction, ids: readonly (number | null)[], requestedBy: string | null): Promise<JobResult> {
    const checked = await this.check(ids);
    if (!checked.ok) return checked;
    return this.tasks.createJob({ jobType: BULK_JOB_TYPES[action], playlistIds: checked.ids, requestedBy });
  }

  async setWanted(ids: readonly (number | null)[], wanted: boolean): Promise<{ ok: true; playlists: PlaylistListRow[] } | { ok: false; error: InvalidArgument }> {
    const checked = await this.check(ids);
    if (!checked.ok) return checked;
    await this.repo.setWanted(checked.ids, wanted);
    this.changed('wanted');
    return { ok: true, playlists: await this.repo.byIds(checked.ids) };
  }

  /** Ids the caller could not parse come as null. */
  private async check(ids: readonly (number | null)[]): Promise<{ ok: true; ids: number[] } | { ok: false; error: InvalidArgument }> {
    if (ids.length === 0) return { ok: false, error: { kind: 'invalidArgument', argument: 'playlistIds', message: 'choose at least one playlist' } };
    const numbers = [...new Set(ids.filter((id): id is number => id !== null))];
    const known = await this.existing(numbers);
    const unknown = ids.filter((id) => id === null || !known.has(id)).map((id) => (id === null ? '(not a playlist id)' : String(id)));
    if (unknown.length > 0) return { ok: false, error: { kind: 'invalidArgument', argument: 'playlistIds', message: `no such playlist: ${unknown.join(', ')}` } };
    return { ok: true, ids: numbers };
  }
}

/** What a location names: an http(s) URL, or an absolute path to a file or a folder that exists. */
async function classify(location: string): Promise<{ kind: PlaylistSourceKind; location: string } | { error: string }> {
  if (location === '') return { error: 'location is empty' };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(location)) {
    let url: URL;
    try {
      url = new URL(location);
    } catch {
      return { error: `${location} is not a valid URL` };
    }
    if (url.protocol === 'file:') return classify(decodeURIComponent(url.pathname));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') return { error: `${url.protocol} URLs are not supported (http, https or a file path)` };
    return { kind: 'url', location: url.href };
  }
  if (!path.isAbsolute(location)) return { error: `${location} is not an absolute path or an http(s) URL` };
  const resolved = path.resolve(location);
  const st = await fs.stat(resolved).catch(() => null);
  if (!st) return { error: `${resolved} does not exist` };
  if (st.isDirectory()) return { kind: 'folder', location: resolved };
  if (st.isFile()) return { kind: 'file', location: resolved };
  return { error: `${resolved} is neither a file nor a folder` };
}
