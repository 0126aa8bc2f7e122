/**
 * Server (3): Roadie itself, built by server/app.ts with port 0 and a temporary data directory.
 *
 * The cleanup daemon (disabled by default) is started once; each round then toggles it with the
 * pauseWorker / resumeWorker mutations: one guarded write and exactly one `daemon:changed`
 * event (state RUNNING ⇄ PAUSED) per trigger. startWorker / stopWorker also work
 * (BENCH_ROADIE_TRIGGER=startstop) but publish two events per trigger (STARTING then RUNNING,
 * STOPPING then STOPPED) and wait for the daemon's loop, so the trigger itself takes longer.
 * Only the cleanup daemon runs unless BENCH_ROADIE_AUTOSTART=true (then every daemon enabled by
 * default runs too, and their events reach the subscribers as in production).
 * BENCH_ROADIE_ROOT points at another checkout (for experiments on a copy of server/).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type * as AppModule from '../server/app.js';
import type * as ConfigModule from '../server/config.js';
import { DAEMON_STATUS_QUERY, runServerChild, type TriggerSpec } from './lib/common.js';

const root = process.env.BENCH_ROADIE_ROOT ?? path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await runServerChild(async () => {
  if (!existsSync(path.join(root, 'server/app.ts'))) return { unavailable: 'server/app.ts does not exist yet' };
  const dataDir = process.env.BENCH_ROADIE_DATA_DIR;
  if (!dataDir) return { unavailable: 'BENCH_ROADIE_DATA_DIR not set' };
  const appModule = path.join(root, 'server/app.ts');
  const { buildApp } = (await import(appModule)) as typeof AppModule;
  const { loadConfig } = (await import(path.join(root, 'server/config.ts'))) as typeof ConfigModule;
  const app = await buildApp(
    loadConfig({
      PORT: '0',
      HOST: '127.0.0.1',
      ROADIE_DATA_DIR: dataDir,
      ROADIE_LOG_LEVEL: 'warn',
      NODE_ENV: 'production',
      // The other daemons' cycles publish daemon:changed events that reach every subscriber (and
      // burn CPU while the other servers run their rounds): off unless BENCH_ROADIE_AUTOSTART=true.
      ROADIE_AUTOSTART: process.env.BENCH_ROADIE_AUTOSTART ?? 'false',
    }),
  );
  const { url } = await app.start();
  // The cleanup daemon is disabled by default: start it once, before anyone subscribes.
  const started = await app.orchestrator.start('cleanup');
  if (!started.ok || app.orchestrator.get('cleanup')?.state !== 'RUNNING') {
    return { unavailable: `could not start the cleanup daemon: ${JSON.stringify(started)}` };
  }
  await new Promise((r) => setTimeout(r, 500)); // let its first cycle finish
  // daemon:changed events by daemon: daemonStatus(name) subscribers only receive their daemon's
  // (routed by key), so these are the events the run produced, not what each subscriber handled.
  const events: Record<string, number> = {};
  const counting = app.bus.subscribe('daemon:changed');
  void (async () => {
    for await (const w of counting) events[w.name] = (events[w.name] ?? 0) + 1;
  })();
  const base = new URL(url);
  const httpUrl = `http://127.0.0.1:${base.port}`;
  const endpoint = '/graphql';
  const mutation = (name: string) => JSON.stringify({ query: `mutation { ${name}(name: "cleanup") { __typename } }` });
  const triggers: TriggerSpec[] =
    process.env.BENCH_ROADIE_TRIGGER === 'startstop'
      ? [
          { path: endpoint, body: mutation('stopWorker'), expect: '"state":"STOPPING"' },
          { path: endpoint, body: mutation('startWorker'), expect: '"state":"STARTING"' },
        ]
      : [
          { path: endpoint, body: mutation('pauseWorker'), expect: '"state":"PAUSED"' },
          { path: endpoint, body: mutation('resumeWorker'), expect: '"state":"RUNNING"' },
        ];
  return {
    ready: {
      httpUrl,
      wsUrl: `ws://127.0.0.1:${base.port}${endpoint}`,
      protocol: 'graphql-ws',
      query: DAEMON_STATUS_QUERY,
      triggers,
      notes: [
        process.env.BENCH_ROADIE_AUTOSTART === 'true'
          ? 'every daemon enabled by default runs (BENCH_ROADIE_AUTOSTART=true)'
          : 'only the cleanup daemon runs (ROADIE_AUTOSTART=false; BENCH_ROADIE_AUTOSTART=true starts the others)',
        'shared subscription execution as wired in server/http/ws.ts (graphql-ws) and server/http/yoga.ts (SSE)',
      ],
    },
    stop: async () => {
      await counting.return?.();
      await app.stop();
    },
    stats: () => ({ daemonChangedEventsByDaemon: { ...events } }),
  };
});
