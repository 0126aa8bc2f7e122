import { expect } from 'vitest';
import { gql } from './app.js';
import { FINAL_STATUSES, waitForJob } from './jobs.js';

export const PLAYLIST_FIELDS = /* GraphQL */ `id name songCount distinctSongCount downloadedSongCount wanted lastSyncedAt location sourceId`;

export interface PlaylistData {
  id: string;
  name: string;
  songCount: number;
  distinctSongCount: number;
  downloadedSongCount: number;
  wanted: boolean;
  lastSyncedAt: string | null;
  location: string;
  sourceId: string;
}

/** Every playlist (first 100), oldest first. */
export async function playlists(url: string): Promise<PlaylistData[]> {
  const d = await gql<{ playlists: { edges: { node: PlaylistData }[] } }>(url, `{ playlists(first: 100) { edges { node { ${PLAYLIST_FIELDS} } } } }`);
  return d.playlists.edges.map((e) => e.node);
}

export interface AddResult {
  addPlaylistSource: { __typename: string; source?: { id: string; kind: string; location: string }; collectJobId?: string | null; argument?: string; message?: string };
}

export const ADD_SOURCE = /* GraphQL */ `mutation ($location: String!) {
  addPlaylistSource(location: $location) {
    __typename
    ... on AddPlaylistSourcePayload { source { id kind location } collectJobId }
    ... on InvalidArgumentError { argument message }
  }
}`;

/** Adds a source and waits for its collect job to end (the general lane must have room). */
export async function addSource(url: string, location: string): Promise<{ sourceId: string; jobStatus: string }> {
  const r = (await gql<AddResult>(url, ADD_SOURCE, { location })).addPlaylistSource;
  expect(r.__typename).toBe('AddPlaylistSourcePayload');
  const job = await waitForJob(url, r.collectJobId!, (j) => FINAL_STATUSES.includes(j.status), 'collect finished');
  return { sourceId: r.source!.id, jobStatus: job.status };
}
