import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlskd } from '../fakes/slskd.js';
import { appPerTest, gql, gqlRaw } from '../helpers/app.js';
import { waitFor } from '../helpers/jobs.js';
import { TEST_SECRET_KEY } from '../helpers/spotify.js';
import { CONNECTION_FIELDS, type ConnectionData } from '../helpers/connections.js';

const apps = appPerTest();
let slskd: FakeSlskd;
beforeAll(async () => {
  slskd = await new FakeSlskd().start();
});
afterAll(async () => {
  await slskd.stop();
});

type Connection = ConnectionData;
const FIELDS = CONNECTION_FIELDS;
const UPDATE = `mutation ($input: ServiceConnectionInput!) { updateServiceConnection(input: $input) { __typename ... on ServiceConnectionPayload { connection { ${FIELDS} } } ... on InvalidArgumentError { argument message } } }`;
const read = async (url: string): Promise<Connection> => (await gql<{ serviceConnection: Connection }>(url, `{ serviceConnection { ${FIELDS} } }`)).serviceConnection;
const serviceState = async (url: string, name: string) =>
  (await gql<{ services: { name: string; state: string; baseUrl: string | null; lastError: string | null }[] }>(url, '{ services { name state baseUrl lastError } }')).services.find((s) => s.name === name)!;

describe('service connections set in the SPA (slskd, MusicBrainz)', () => {
  it('start from the environment, change at once without a restart, keep the key out of every answer, survive a restart sealed', async () => {
    slskd.reset();
    const t = await apps.start({ env: { ROADIE_MUSICBRAINZ_URL: 'http://127.0.0.1:9/ws/2', ROADIE_SECRET_KEY: TEST_SECRET_KEY, ROADIE_SERVICE_PROBE_INTERVAL_SECONDS: '3600' } });
    expect(await read(t.url)).toMatchObject({
      slskdUrl: null,
      slskdApiKeySet: false,
      musicbrainzUrl: 'http://127.0.0.1:9/ws/2',
      sources: { slskdUrl: 'UNSET', slskdApiKey: 'UNSET', musicbrainzUrl: 'ENVIRONMENT', musicbrainzContact: 'UNSET' },
    });
    expect((await serviceState(t.url, 'slskd')).state).toBe('NOT_CONFIGURED');

    // a bad value changes nothing
    const bad = (await gql<{ updateServiceConnection: { __typename: string; argument?: string } }>(t.url, UPDATE, { input: { slskdUrl: 'ftp://nope', slskdApiKey: slskd.apiKey } }))
      .updateServiceConnection;
    expect(bad).toMatchObject({ __typename: 'InvalidArgumentError', argument: 'slskdUrl' });
    expect((await read(t.url)).slskdApiKeySet).toBe(false);

    const raw = await gqlRaw(t.url, UPDATE, { input: { slskdUrl: slskd.url, slskdApiKey: slskd.apiKey, slskdDownloadsDir: '/srv/slskd/downloads', musicbrainzContact: 'me@example.test' } });
    expect(JSON.stringify(raw.body)).not.toContain(slskd.apiKey); // never sent back
    const set = (raw.body.data as { updateServiceConnection: { connection: Connection } }).updateServiceConnection.connection;
    expect(set).toMatchObject({ slskdUrl: slskd.url, slskdApiKeySet: true, slskdDownloadsDir: '/srv/slskd/downloads', musicbrainzContact: 'me@example.test' });
    expect(set.sources).toMatchObject({ slskdUrl: 'SETTINGS', slskdApiKey: 'SETTINGS', musicbrainzUrl: 'ENVIRONMENT', musicbrainzContact: 'SETTINGS' });

    // applied at once: slskd is probed with the key now (the probe round runs on the change)
    await waitFor(() => serviceState(t.url, 'slskd'), (s) => s.state === 'UP' && s.baseUrl === slskd.url, 'slskd UP');
    expect(slskd.requests.some((r) => r.path === '/api/v0/application' && r.apiKey === slskd.apiKey)).toBe(true);
    const automation = await gql<{ automation: { missing: string[] } }>(t.url, '{ automation { missing } }');
    expect(automation.automation.missing).toEqual([]); // the MusicBrainz URL from the environment and the contact set here

    // at rest the key is sealed with ROADIE_SECRET_KEY
    const [stored] = await t.app.orm.em.getConnection().execute<{ value: string }[]>(`select value from app_settings where key = 'services.connection'`);
    expect(stored!.value).not.toContain(slskd.apiKey);
    expect(stored!.value).toMatch(/"slskdApiKey":"v1\./);

    // after a restart the same connection is in force
    const t2 = apps.track(await t.restart());
    expect(await read(t2.url)).toMatchObject({ slskdUrl: slskd.url, slskdApiKeySet: true, sources: { slskdApiKey: 'SETTINGS' } });

    // "" clears what was set here: the environment applies again
    const cleared = (await gql<{ updateServiceConnection: { connection: Connection } }>(t2.url, UPDATE, { input: { slskdUrl: '', slskdApiKey: '', musicbrainzUrl: '' } })).updateServiceConnection.connection;
    expect(cleared).toMatchObject({ slskdUrl: null, slskdApiKeySet: false, musicbrainzUrl: 'http://127.0.0.1:9/ws/2', sources: { slskdUrl: 'UNSET', musicbrainzUrl: 'ENVIRONMENT' } });
    await waitFor(() => serviceState(t2.url, 'slskd'), (s) => s.state === 'NOT_CONFIGURED', 'slskd not configured again');
  });
});
