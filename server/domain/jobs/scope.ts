/** What a job covers: chosen playlists, chosen sources, or everything. */
export interface JobScope {
  /** Playlists picked by a bulk action, in the order the person chose them. */
  readonly playlistIds?: readonly (number | string)[] | null;
  /** Playlist sources the job is limited to. */
  readonly sourceIds?: readonly (number | string)[] | null;
}

/** The row's scope column as facts; clients word it ("2 playlists", "All sources"). */
export type ScopeSummary =
  | { readonly kind: 'playlists'; readonly count: number }
  | { readonly kind: 'sources'; readonly count: number }
  | { readonly kind: 'all' };

/** Playlists win over sources: a playlist-scoped job touches only those playlists whatever its sources. */
export function scopeSummary(scope: JobScope | null | undefined): ScopeSummary {
  const playlists = scope?.playlistIds?.length ?? 0;
  if (playlists > 0) return { kind: 'playlists', count: playlists };
  const sources = scope?.sourceIds?.length ?? 0;
  if (sources > 0) return { kind: 'sources', count: sources };
  return { kind: 'all' };
}

/** Whether the job was started for selected playlists (it changes the job's display name). */
export function isPlaylistScoped(scope: JobScope | null | undefined): boolean {
  return (scope?.playlistIds?.length ?? 0) > 0;
}
