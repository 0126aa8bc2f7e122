import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { gqlRaw, startTestApp, type TestApp } from '../helpers/app.js';
import { fakes } from '../helpers/fake-daemons.js';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { EventCollector } from '../helpers/events.js';
import { controlOk, DAEMON_STATUS_SUB, type DaemonStatusData } from '../helpers/graphql.js';
import { firstWsResult } from '../helpers/ws.js';

/** `{ __type(name: "Worker") { ofType { ofType { … { name } } } } }` with `depth` fields in all. */
function deepQuery(depth: number): string {
  let inner = 'name';
  for (let i = 0; i < depth - 2; i++) inner = `ofType { ${inner} }`;
  return `{ __type(name: "Worker") { ${inner} } }`;
}

function aliasQuery(n: number): string {
  return `{ ${Array.from({ length: n }, (_, i) => `w${i}: worker(name: "token_refresh") { name }`).join(' ')} }`;
}

describe('HTTP endpoints and GraphQL hardening', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => {
    await t.stop();
  });

  it('/healthz answers 200 JSON', async () => {
    const res = await fetch(`${t.url}/healthz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await res.json()) as { status: string; uptimeSeconds: number };
    expect(body.status).toBe('ok');
    expect(typeof body.uptimeSeconds).toBe('number');
  });

  it('/readyz answers 200 JSON with database true when every required daemon runs', async () => {
    const res = await fetch(`${t.url}/readyz`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ ready: true, startedUp: true, database: true, unhealthyDaemons: [] });
  });

  it('rejects a query nested deeper than 12 levels (12 is fine)', async () => {
    const ok = await gqlRaw(t.url, deepQuery(12));
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data).toHaveProperty('__type');

    const deep = await gqlRaw(t.url, deepQuery(13));
    expect(deep.body.data ?? null).toBeNull();
    expect(deep.body.errors?.[0]?.message).toMatch(/depth limit of 12 exceeded/i);
  });

  it('rejects more than 15 aliases (15 is fine)', async () => {
    const ok = await gqlRaw(t.url, aliasQuery(15));
    expect(ok.body.errors).toBeUndefined();
    expect(Object.keys(ok.body.data ?? {})).toHaveLength(15);

    const many = await gqlRaw(t.url, aliasQuery(16));
    expect(many.body.data ?? null).toBeNull();
    expect(many.body.errors?.[0]?.message).toMatch(/aliases limit of 15 exceeded/i);
  });

  it('graphql-ws: a rejected operation (limits, syntax) is answered with errors; the connection stays open', async () => {
    const closes: number[] = [];
    const client = createClient({
      url: t.wsUrl,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
      on: { closed: (e) => void closes.push((e as { code: number }).code) },
    });
    onTestFinished(() => client.dispose());
    // A long-lived subscription on the same connection (it also keeps the client from closing
    // the socket between operations).
    const held = new EventCollector<DaemonStatusData>('held');
    const unsubscribe = client.subscribe<DaemonStatusData>(
      { query: DAEMON_STATUS_SUB(), variables: { name: 'queue_dispatcher' } },
      {
        next: (r) => held.push(r.data as DaemonStatusData),
        error: (err) => held.end(new Error(`held subscription failed: ${JSON.stringify(err, ['code', 'reason', 'message'])}`)),
        complete: () => held.end(),
      },
    );
    onTestFinished(unsubscribe);
    await held.next(undefined, 3000, 'snapshot');

    const run = (query: string) =>
      new Promise<{ data?: unknown; errors?: readonly { message: string }[] }>((resolve, reject) => {
        // No unsubscribe from inside `next`: a query completes by itself, and graphql-ws 6's client
        // double-counts the release when `complete` arrives in the same chunk (it then closes the
        // socket under the held subscription).
        client.subscribe(
          { query },
          {
            next: (r) => resolve(r as { data?: unknown; errors?: readonly { message: string }[] }),
            // graphql-ws reports a refused operation as an array of GraphQL errors.
            error: (err) =>
              Array.isArray(err)
                ? resolve({ errors: err as { message: string }[] })
                : reject(new Error(`socket error: ${JSON.stringify(err, ['code', 'reason'])}`)),
            complete: () => undefined,
          },
        );
      });

    expect((await run(deepQuery(12))).errors).toBeUndefined();
    expect((await run(deepQuery(13))).errors?.[0]?.message).toMatch(/depth limit of 12 exceeded/i);
    expect((await run(aliasQuery(16))).errors?.[0]?.message).toMatch(/aliases limit of 15 exceeded/i);
    expect((await run('{ workers { name }')).errors?.[0]?.message).toMatch(/Syntax Error/);

    // The held subscription still gets live events: the socket was never closed.
    await controlOk(t.url, 'pauseWorker', { name: 'queue_dispatcher' });
    await held.next((e) => e.daemonStatus.worker.state === 'PAUSED', 1000, 'PAUSED on the held subscription');
    await controlOk(t.url, 'resumeWorker', { name: 'queue_dispatcher' });
    expect(closes).toEqual([]);
  });

  it('graphql-ws: a shared event reaches every subscriber whole, whatever its operation id spells', async () => {
    // server/http/ws.ts serializes a shared result once and builds each subscriber's envelope
    // around it, with the id JSON-encoded: quotes, backslashes and control characters included
    const ids = ['\u0000roadie:payload\u0000', 'plain-id', 'q"uo\\te}{', '"payload":{}'];
    const clients = ids.map((id) =>
      createClient({ url: t.wsUrl, webSocketImpl: WebSocket, retryAttempts: 0, generateID: () => id }),
    );
    onTestFinished(async () => {
      for (const c of clients) await c.dispose();
    });
    const seen = clients.map((client, i) => {
      const events = new EventCollector<DaemonStatusData>(`subscriber ${i}`);
      const stop = client.subscribe<DaemonStatusData>(
        { query: DAEMON_STATUS_SUB(), variables: { name: 'retry_scheduler' } },
        {
          next: (r) => events.push(r.data as DaemonStatusData),
          error: (err) => events.end(new Error(JSON.stringify(err))),
          complete: () => events.end(),
        },
      );
      onTestFinished(stop);
      return events;
    });
    for (const events of seen) await events.next(undefined, 3000, 'snapshot');
    await controlOk(t.url, 'pauseWorker', { name: 'retry_scheduler' });
    const paused = await Promise.all(seen.map((events) => events.next((e) => e.daemonStatus.worker.state === 'PAUSED', 2000, 'PAUSED')));
    // all got the same complete result, not a mangled envelope
    for (const p of paused) expect(p).toEqual(paused[0]);
    expect(paused[0]?.daemonStatus.worker).toMatchObject({ name: 'retry_scheduler', state: 'PAUSED' });
    await controlOk(t.url, 'resumeWorker', { name: 'retry_scheduler' });
  });

  it('graphql-ws: after a client completes one of two operations on a socket, only the other gets events', async () => {
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    onTestFinished(() => socket.close());
    const messages: { id?: string; type: string; payload?: DaemonStatusData & { data?: DaemonStatusData } }[] = [];
    socket.on('message', (data: Buffer) => messages.push(JSON.parse(String(data)) as (typeof messages)[number]));
    await new Promise((r) => socket.once('open', r));
    const waitFor = async (pred: () => boolean, what: string): Promise<void> => {
      const until = Date.now() + 3000;
      while (!pred()) {
        if (Date.now() > until) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(messages)}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const stateOf = (id: string, state: string) => () =>
      messages.some((m) => m.id === id && m.type === 'next' && m.payload?.data?.daemonStatus.worker.state === state);
    socket.send(JSON.stringify({ type: 'connection_init' }));
    await waitFor(() => messages.some((m) => m.type === 'connection_ack'), 'ack');
    for (const id of ['a', 'b']) {
      socket.send(JSON.stringify({ id, type: 'subscribe', payload: { query: DAEMON_STATUS_SUB(), variables: { name: 'retry_scheduler' } } }));
    }
    await waitFor(() => stateOf('a', 'RUNNING')() && stateOf('b', 'RUNNING')(), 'both snapshots');
    socket.send(JSON.stringify({ id: 'a', type: 'complete' }));
    await new Promise((r) => setTimeout(r, 50));
    await controlOk(t.url, 'pauseWorker', { name: 'retry_scheduler' });
    await waitFor(stateOf('b', 'PAUSED'), 'PAUSED on b');
    await controlOk(t.url, 'resumeWorker', { name: 'retry_scheduler' });
    await waitFor(() => messages.filter((m) => m.id === 'b' && m.type === 'next').length === 3, 'RUNNING again on b');
    expect(messages.filter((m) => m.id === 'a').map((m) => m.type)).toEqual(['next']); // the snapshot only
  });

  it('CSRF prevention: a "simple" GET or text/plain POST is refused with 403; with the header it is served', async () => {
    const q = encodeURIComponent('{workers{name}}');
    const get = await fetch(`${t.url}/graphql?query=${q}`, { headers: { accept: 'application/json' } });
    expect(get.status).toBe(403);
    expect(JSON.stringify(await get.json())).toContain('Required CSRF header(s) not present');

    const form = await fetch(`${t.url}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain', accept: 'application/json' },
      body: JSON.stringify({ query: 'mutation { stopWorker(name: "spotify_sync") { __typename } }' }),
    });
    expect(form.status).toBe(403);
    // The refused mutation did nothing.
    const check = await gqlRaw<{ worker: { state: string } }>(t.url, '{ worker(name: "spotify_sync") { state } }');
    expect(check.body.data?.worker.state).toBe('RUNNING');

    const withHeader = await fetch(`${t.url}/graphql?query=${q}`, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } });
    expect(withHeader.status).toBe(200);
    const body = (await withHeader.json()) as { data: { workers: unknown[] } };
    expect(body.data.workers).toHaveLength(12);
  });

  it('GET cannot run mutations even with the CSRF header', async () => {
    const q = encodeURIComponent('mutation { stopWorker(name: "spotify_sync") { __typename } }');
    const res = await fetch(`${t.url}/graphql?query=${q}`, { headers: { accept: 'application/json', 'x-graphql-yoga-csrf': '1' } });
    expect(res.status).toBe(405);
    const check = await gqlRaw<{ worker: { state: string } }>(t.url, '{ worker(name: "spotify_sync") { state } }');
    expect(check.body.data?.worker.state).toBe('RUNNING');
  });

  it('unknown paths answer 404 JSON or the SPA, never a crash', async () => {
    const res = await fetch(`${t.url}/definitely/not/here.json`);
    expect([200, 404, 503]).toContain(res.status);
    await res.arrayBuffer();
  });
});

describe('masked errors', () => {
  it('an unexpected server error has no message details or stack trace (NODE_ENV test)', async () => {
    const t = await startTestApp({
      // yoga logs the original error server-side (as it should); keep the test output quiet.
      env: { ROADIE_AUTOSTART: 'false', ROADIE_LOG_LEVEL: 'fatal' },
      daemons: fakes({
        key: 'broken',
        details: () => {
          throw new Error('secret internal detail at /srv/roadie/server/daemons/broken.ts:42');
        },
      }),
    });
    onTestFinished(() => t.stop());
    const r = await gqlRaw(t.url, '{ worker(name: "broken") { name } }');
    expect(r.status).toBe(200);
    expect(r.body.errors).toHaveLength(1);
    expect(r.body.errors?.[0]?.message).toBe('Unexpected error.');
    expect(r.text).not.toContain('secret');
    expect(r.text).not.toMatch(/stack|\.ts:\d+|at .*\(/i);
    expect(r.body.errors?.[0]?.extensions ?? {}).not.toHaveProperty('originalError');

    // Same over graphql-ws.
    const ws = await firstWsResult(t.wsUrl, '{ worker(name: "broken") { name } }');
    expect(ws.errors?.[0]?.message).toBe('Unexpected error.');
    expect(JSON.stringify(ws)).not.toContain('secret');

    // And in a subscription's events over graphql-ws (shared execution, masked once per message).
    const sub = await firstWsResult(t.wsUrl, 'subscription { daemonStatus(name: "broken") { worker { name details { lastRunAt } } } }');
    expect(sub.errors?.[0]?.message).toBe('Unexpected error.');
    expect(JSON.stringify(sub)).not.toContain('secret');
    expect(JSON.stringify(sub)).not.toMatch(/stack|\.ts:\d+/i);
  });
});
