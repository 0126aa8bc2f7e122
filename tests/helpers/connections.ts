import { gqlRaw } from './app.js';

/** The ServiceConnection fields the tests read. */
export const CONNECTION_FIELDS =
  'slskdUrl slskdApiKeySet slskdDownloadsDir musicbrainzUrl musicbrainzContact sources { slskdUrl slskdApiKey slskdDownloadsDir musicbrainzUrl musicbrainzContact }';

export type ConnectionSource = 'SETTINGS' | 'ENVIRONMENT' | 'UNSET';

export interface ConnectionData {
  slskdUrl: string | null;
  slskdApiKeySet: boolean;
  slskdDownloadsDir: string | null;
  musicbrainzUrl: string | null;
  musicbrainzContact: string | null;
  sources: Record<'slskdUrl' | 'slskdApiKey' | 'slskdDownloadsDir' | 'musicbrainzUrl' | 'musicbrainzContact', ConnectionSource>;
}

/** The connections as the API answers them, with the answer's raw text (to check a key is not in it). */
export async function serviceConnection(url: string): Promise<{ connection: ConnectionData; text: string }> {
  const res = await gqlRaw<{ serviceConnection: ConnectionData }>(url, `{ serviceConnection { ${CONNECTION_FIELDS} } }`);
  if (!res.body.data) throw new Error(`serviceConnection failed: ${res.text}`);
  return { connection: res.body.data.serviceConnection, text: res.text };
}
