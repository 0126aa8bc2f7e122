import { describe, expect, it } from 'vitest';
import type { WorkerDetails } from '../../web/src/lib/graphql/types.js';
import { detailFacts } from '../../web/src/lib/worker-facts.js';

const base = { lastRunAt: null, nextRunAt: null, lastError: null, intervalSeconds: 60 };

describe('daemon detail facts', () => {
  it('Spotify Sync: a 429 pause and each failing kind show; none when all is well', () => {
    const details = {
      ...base,
      __typename: 'SpotifySyncDetails',
      checkIntervalSeconds: 60,
      hasErrors: true,
      connected: true,
      rateLimitedUntil: '2026-11-30T08:00:00.000Z',
      lastSyncs: { artists: null, playlists: '2026-11-30T07:00:00.000Z', likedSongs: null, savedAlbums: null },
      lastErrors: [{ kind: 'ARTISTS', message: 'HTTP 500' }],
    } as unknown as WorkerDetails;
    const facts = detailFacts(details);
    expect(facts).toContainEqual({ label: 'detail.rateLimitedUntil', kind: 'time', value: '2026-11-30T08:00:00.000Z' });
    expect(facts).toContainEqual({ label: 'detail.syncError.ARTISTS', kind: 'text', value: 'HTTP 500' });
    const calm = detailFacts({ ...details, rateLimitedUntil: null, lastErrors: [] } as unknown as WorkerDetails);
    expect(calm.map((f) => f.label)).not.toContain('detail.rateLimitedUntil');
    expect(calm.some((f) => f.label.startsWith('detail.syncError'))).toBe(false);
  });

  it('Quality Upgrade shows the bit rate it upgrades below', () => {
    const facts = detailFacts({ ...base, __typename: 'QualityUpgradeDetails', tracksChecked: 3, upgradesFound: 1, minBitrateKbps: 256 } as unknown as WorkerDetails);
    expect(facts).toContainEqual({ label: 'detail.minBitrate', kind: 'count', value: 256 });
  });
});
