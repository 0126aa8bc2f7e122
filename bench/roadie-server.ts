/**
 * Server (3): Roadie itself, built by server/app.ts with port 0 and a temporary data directory.
 * The trigger toggles the cleanup daemon with the startWorker / stopWorker mutations.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DAEMON_STATUS_QUERY, runServerChild, type TriggerSpec } from './lib/common.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

await runServerChild(async () => {
  if (!existsSync(path.join(root, 'server/app.ts'))) return { unavailable: 'server/app.ts does not exist yet' };
  const dataDir = process.env.BENCH_ROADIE_DATA_DIR;
  if (!dataDir) return { unavailable: 'BENCH_ROADIE_DATA_DIR not set' };
  const { buildApp } = await import('../server/app.js');
  const { loadConfig } = await import('../server/config.js');
  const app = await buildApp(
    loadConfig({ PORT: '0', HOST: '127.0.0.1', ROADIE_DATA_DIR: dataDir, ROADIE_LOG_LEVEL: 'warn', NODE_ENV: 'production' }),
  );
  const { url } = await app.start();
  const base = new URL(url);
  const httpUrl = `http://127.0.0.1:${base.port}`;
  const endpoint = '/graphql';
  const mutation = (name: 'startWorker' | 'stopWorker') =>
    JSON.stringify({ query: `mutation { ${name}(name: "cleanup") { __typename } }` });
  const triggers: TriggerSpec[] = [
    { path: endpoint, body: mutation('stopWorker'), expect: '"state":"STOPP' },
    { path: endpoint, body: mutation('startWorker'), expect: '"state":"' },
  ];
  return {
    ready: {
      httpUrl,
      wsUrl: `ws://127.0.0.1:${base.port}${endpoint}`,
      protocol: 'graphql-ws',
      query: DAEMON_STATUS_QUERY,
      triggers,
    },
    stop: () => app.stop(),
  };
});
