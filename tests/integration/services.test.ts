import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gql, startTestApp, type TestApp } from '../helpers/app.js';
import { FakeSlskd } from '../fakes/slskd.js';

interface ServiceRow {
  name: string;
  state: string;
  baseUrl: string | null;
  latencyMs: number | null;
  lastError: string | null;
  checkedAt: string | null;
}

let fake: Server;
let base: string;
let app: TestApp;

beforeAll(async () => {
  // A stand-in for remote APIs: /ok answers 401 like an API without credentials, /broken 503.
  fake = createServer((req, res) => {
    if (req.url?.startsWith('/broken')) {
      res.writeHead(503).end('maintenance');
    } else {
      res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"no token"}');
    }
  });
  await new Promise<void>((r) => fake.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(fake.address() as AddressInfo).port}`;
  // a port nothing listens on
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  app = await startTestApp({
    env: {
      ROADIE_SPOTIFY_URL: `${base}/ok`,
      ROADIE_SLSKD_URL: `${base}/broken`,
      ROADIE_MUSICBRAINZ_URL: `http://127.0.0.1:${deadPort}/ws/2`,
      ROADIE_AUTOSTART: 'false',
    },
  });
});

afterAll(async () => {
  await app?.stop();
  await new Promise<void>((r) => fake.close(() => r()));
});

describe('service probes', () => {
  it('probes configured services for real and says which are not configured', async () => {
    const { services } = await gql<{ services: ServiceRow[] }>(app.url, '{ services { name state baseUrl latencyMs lastError checkedAt } }');
    const by = Object.fromEntries(services.map((s) => [s.name, s]));
    expect(Object.keys(by).sort()).toEqual(['coverart', 'deezer', 'musicbrainz', 'slskd', 'spotify']);

    expect(by.spotify).toMatchObject({ state: 'UP', lastError: null, baseUrl: `${base}/ok` });
    expect(by.spotify?.latencyMs).toBeGreaterThanOrEqual(0);
    expect(by.spotify?.checkedAt).not.toBeNull();

    expect(by.slskd).toMatchObject({ state: 'DOWN', lastError: 'HTTP 503' });
    expect(by.musicbrainz?.state).toBe('DOWN');
    expect(by.musicbrainz?.lastError).toMatch(/ECONNREFUSED/);
    expect(by.musicbrainz?.latencyMs).toBeNull();

    for (const name of ['coverart', 'deezer']) {
      expect(by[name]).toMatchObject({ state: 'NOT_CONFIGURED', baseUrl: null, latencyMs: null, checkedAt: null });
    }
  });
});

describe('the slskd probe with its API key', () => {
  it('asks slskd’s application endpoint with the key: UP with the right key, DOWN (unauthorized) with a wrong one', async () => {
    const slskd = await new FakeSlskd().start();
    try {
      for (const [key, state] of [
        [slskd.apiKey, 'UP'],
        ['wrong-key', 'DOWN'],
      ] as const) {
        const t = await startTestApp({ env: { ROADIE_SLSKD_URL: slskd.url, ROADIE_SLSKD_API_KEY: key, ROADIE_AUTOSTART: 'false' } });
        try {
          const { services } = await gql<{ services: ServiceRow[] }>(t.url, '{ services { name state baseUrl latencyMs lastError checkedAt } }');
          const row = services.find((s) => s.name === 'slskd');
          expect(row?.state, key).toBe(state);
          if (state === 'DOWN') expect(row?.lastError).toMatch(/401|unauthori[sz]ed/i);
        } finally {
          await t.stop();
        }
      }
      expect(slskd.requests.filter((r) => r.path === '/api/v0/application').map((r) => r.apiKey)).toEqual([slskd.apiKey, 'wrong-key']);
    } finally {
      await slskd.stop();
    }
  });
});
