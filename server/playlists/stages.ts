import path from 'node:path';
import type { JobScope } from '../domain/jobs/scope.js';
import { parsePlaylist } from '../domain/playlists/index.js';
import type { PlaylistRepository } from '../db/repositories/playlist.repository.js';
import type { ItemContext, ItemOutcome } from '../runner/executor.js';
import type { StageWork } from '../runner/executors/index.js';
import type { StoredJob } from '../runner/store.js';
import type { PlaylistEntry } from '../domain/playlists/types.js';
import { MetaBrainzError } from '../integrations/musicbrainz.js';
import { SpotifyError } from '../integrations/spotify.js';
import type { RemotePlaylists } from '../spotify/playlists.js';
import { listSourceFiles, readPlaylistText, ReadError } from './read.js';

/** What the playlist stages need besides the repository. */
export interface PlaylistStageDeps {
  readonly playlists: PlaylistRepository;
  /** Writes a job event (what a sync changed, per playlist). */
  readonly event: (jobId: number, kind: string, data: Record<string, unknown>) => Promise<void>;
  /** Playlists changed (a source read, a playlist synced): subscribers read them again. */
  readonly changed: (reason: 'sourceRead' | 'synced') => void;
  /** Where the playlists of service-backed sources come from; such a source fails to read without its reader. */
  readonly remote?: Partial<Record<RemoteKind, RemotePlaylists>>;
}

/** Sources whose playlists a service holds. */
type RemoteKind = 'spotify' | 'musicbrainz';
const isRemote = (kind: string): kind is RemoteKind => kind === 'spotify' || kind === 'musicbrainz';

/** A source read from a service failed: the item's error, with the service's code (spotify_rate_limited, …). */
class RemoteReadError extends Error {
  constructor(
    message: string,
    readonly code: string,
  ) {
    super(message);
  }
}

function remoteOf(deps: PlaylistStageDeps, kind: RemoteKind): RemotePlaylists {
  const reader = deps.remote?.[kind];
  if (reader) return reader;
  throw new RemoteReadError(`${kind} sources cannot be read here: the service is not configured`, 'not_configured');
}

/** Runs a service call, turning its errors into item failures named by the service's code. */
async function remote<T>(what: string, signal: AbortSignal, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (signal.aborted) throw err; // pause, cancel or shutdown: the runner checkpoints the item
    if (err instanceof SpotifyError) throw new RemoteReadError(`${what}: ${err.message}`, `spotify_${err.code}`);
    if (err instanceof MetaBrainzError) throw new RemoteReadError(`${what}: ${err.message}`, `musicbrainz_${err.code}`);
    if (err instanceof Error) throw new RemoteReadError(`${what}: ${err.message}`, 'remote_error');
    throw err;
  }
}

const ids = (xs: readonly (number | string)[] | null | undefined): number[] | null => (xs && xs.length > 0 ? xs.map(Number) : null);

/** The playlists a job covers: the chosen ones in their order, else those of its sources, else all. */
export async function scopedPlaylists(playlists: PlaylistRepository, scope: JobScope): Promise<{ id: number; name: string; wanted: boolean; sourceKey: string }[]> {
  const chosen = ids(scope.playlistIds);
  return chosen ? playlists.byIds(chosen) : playlists.ofSources(ids(scope.sourceIds));
}

function failed(err: unknown): ItemOutcome {
  if (err instanceof ReadError || err instanceof RemoteReadError) return { status: 'failed', error: err.message, code: err.code };
  throw err; // the runner fails the item with the message (or checkpoints it when aborted)
}

const payloadId = (ctx: ItemContext, key: string): number => Number((ctx.item.payload ?? {})[key]);

/**
 * Collect: one item per source in scope (the sources of the chosen playlists, the chosen sources,
 * or all); reads its playlist files and creates, renames or removes its playlists. A file that
 * does not parse imports nothing and names its line or element in the source's error.
 */
export function collectWork(deps: PlaylistStageDeps): StageWork {
  return {
    workers: 2,
    plan: async (job: StoredJob) => {
      const chosen = ids(job.scope.playlistIds);
      const sourceIds = chosen ? [...new Set((await deps.playlists.byIds(chosen)).map((p) => p.sourceId))] : ids(job.scope.sourceIds);
      const sources = await deps.playlists.sources(sourceIds);
      return sources.map((s) => ({ itemKey: `source:${s.id}`, label: s.location, payload: { sourceId: s.id } }));
    },
    handle: async (ctx) => {
      const sourceId = payloadId(ctx, 'sourceId');
      const [source] = await deps.playlists.sources([sourceId]);
      if (!source) return { status: 'skipped', reason: 'the source was removed' };
      try {
        if (isRemote(source.kind)) {
          const reader = remoteOf(deps, source.kind);
          const found = await remote(source.location, ctx.signal, () => reader.list(ctx.signal));
          const counts = await deps.playlists.recordSourceRead(sourceId, found, null);
          deps.changed('sourceRead');
          await deps.event(ctx.job.id, 'source_read', { sourceId, playlists: found.length, ...counts, problems: 0 });
          return { status: 'succeeded' };
        }
        const files = await listSourceFiles(source.kind, source.location, ctx.signal);
        const found: { sourceKey: string; name: string; description: string | null }[] = [];
        const problems: string[] = [];
        for (const file of files) {
          ctx.signal.throwIfAborted();
          try {
            const parsed = parsePlaylist(await readPlaylistText(file, ctx.signal), { location: file, ...(source.format ? { format: source.format } : {}) });
            if (parsed.ok) found.push({ sourceKey: file, name: parsed.playlist.name ?? baseName(file), description: parsed.playlist.description });
            else problems.push(`${file}: ${parsed.error.message}`);
          } catch (err) {
            if (!(err instanceof ReadError) || source.kind !== 'folder') throw err;
            problems.push(err.message); // one unreadable file of a folder
          }
        }
        const error = problems.length > 0 ? problems.join('\n') : null;
        const counts = await deps.playlists.recordSourceRead(sourceId, found, error);
        deps.changed('sourceRead');
        await deps.event(ctx.job.id, 'source_read', { sourceId, files: files.length, ...counts, problems: problems.length });
        return problems.length > 0 ? { status: 'failed', error: error!, code: 'invalid_file' } : { status: 'succeeded' };
      } catch (err) {
        if (err instanceof ReadError || err instanceof RemoteReadError) {
          await deps.playlists.recordSourceRead(sourceId, [], err.message); // keeps the playlists, records the error
          deps.changed('sourceRead');
        }
        return failed(err);
      }
    },
  };
}

/**
 * Sync: one item per playlist in scope; reads its file again and replaces its songs (all or
 * nothing), recording what changed as a job event.
 */
export function syncWork(deps: PlaylistStageDeps): StageWork {
  return {
    workers: 2,
    plan: async (job) =>
      (await scopedPlaylists(deps.playlists, job.scope)).map((p) => ({ itemKey: `playlist:${p.id}`, label: p.name, payload: { playlistId: p.id } })),
    handle: async (ctx) => {
      const playlistId = payloadId(ctx, 'playlistId');
      const [playlist] = await deps.playlists.byIds([playlistId]);
      if (!playlist) return { status: 'skipped', reason: 'the playlist was removed' };
      const [source] = await deps.playlists.sources([playlist.sourceId]);
      try {
        let entries: readonly PlaylistEntry[];
        if (source && isRemote(source.kind)) {
          const reader = remoteOf(deps, source.kind);
          entries = await remote(playlist.name, ctx.signal, () => reader.entries(playlist.sourceKey, ctx.signal));
        } else {
          const text = await readPlaylistText(playlist.sourceKey, ctx.signal);
          const parsed = parsePlaylist(text, { location: playlist.sourceKey, ...(source?.format ? { format: source.format } : {}) });
          if (!parsed.ok) return { status: 'failed', error: `${playlist.sourceKey}: ${parsed.error.message}`, code: 'invalid_file' };
          entries = parsed.playlist.entries;
        }
        const diff = await deps.playlists.replaceSongs(playlistId, entries);
        if (!diff) return { status: 'skipped', reason: 'the playlist was removed' };
        deps.changed('synced');
        await deps.event(ctx.job.id, 'playlist_synced', { playlistId, name: playlist.name, ...diff, songCount: entries.length });
        return { status: 'succeeded' };
      } catch (err) {
        return failed(err);
      }
    },
  };
}

function baseName(file: string): string {
  const last = /^https?:\/\//i.test(file) ? decodeURIComponent(new URL(file).pathname.split('/').pop() ?? '') : path.basename(file);
  return last.replace(/\.[^.]+$/, '') || file;
}
