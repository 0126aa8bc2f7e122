/**
 * The real app in a child process, for crash tests: `node --import tsx tests/helpers/crash-app.ts`
 * with ROADIE_DATA_DIR and PORT (0 = any) in the environment. Its download and sync stages plan
 * CRASH_DOWNLOAD_ITEMS / CRASH_SYNC_ITEMS items (40 / 20) whose work takes 20–60 ms each and is
 * logged, one synchronous append per line so a SIGKILL loses nothing written, to
 * `<data dir>/items.log`:
 *
 *   boot <pid> <ms>                                   when this process starts
 *   <jobId> <itemKey> start|end|abort <lane> <ms>     around each item's work
 *
 * When listening it prints one JSON line on stdout: {"url": "...", "pid": N}. Logs go to stderr.
 * SIGTERM stops the app gracefully and exits 0.
 */
import fs from 'node:fs';
import path from 'node:path';
import pino from 'pino';
import { buildApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import type { ItemHandler, ItemPlanner } from '../../server/runner/executor.js';

const dataDir = process.env.ROADIE_DATA_DIR;
if (!dataDir) throw new Error('crash-app: ROADIE_DATA_DIR is required');
fs.mkdirSync(dataDir, { recursive: true });
const logFile = path.join(dataDir, 'items.log');
const line = (text: string): void => fs.appendFileSync(logFile, `${text}\n`);

const downloadItems = Number(process.env.CRASH_DOWNLOAD_ITEMS ?? 40);
const syncItems = Number(process.env.CRASH_SYNC_ITEMS ?? 20);

const plan =
  (prefix: string, n: number): ItemPlanner =>
  async () =>
    Array.from({ length: n }, (_, i) => ({ itemKey: `${prefix}-${String(i).padStart(2, '0')}`, label: `Song ${i} / Artist` }));

const handle: ItemHandler = async (ctx) => {
  const tag = `${ctx.job.id} ${ctx.item.itemKey}`;
  line(`${tag} start ${ctx.job.lane} ${Date.now()}`);
  const ms = 20 + Math.floor(Math.random() * 41);
  const finished = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(true), ms);
    ctx.signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve(false);
      },
      { once: true },
    );
  });
  if (!finished) {
    line(`${tag} abort ${ctx.job.lane} ${Date.now()}`);
    throw new Error('aborted');
  }
  ctx.progress({ bytes: 1000, totalBytes: 1000 });
  line(`${tag} end ${ctx.job.lane} ${Date.now()}`);
  return { status: 'succeeded', bytes: 1000 };
};

line(`boot ${process.pid} ${Date.now()}`);
const config = loadConfig({
  ...process.env,
  HOST: '127.0.0.1',
  PORT: process.env.PORT ?? '0',
  ROADIE_LOG_PRETTY: 'false',
  NODE_ENV: 'test',
});
const app = await buildApp(config, {
  logger: pino({ level: process.env.ROADIE_LOG_LEVEL ?? 'warn' }, pino.destination(2)),
  stages: {
    download: { plan: plan('song', downloadItems), handle, workers: 2 },
    sync: { plan: plan('playlist', syncItems), handle, workers: 2 },
  },
});
let stopping = false;
process.on('SIGTERM', () => {
  if (stopping) return;
  stopping = true;
  app.stop().then(
    () => process.exit(0),
    (err: unknown) => {
      console.error('crash-app: error while stopping', err);
      process.exit(1);
    },
  );
});
const { url } = await app.start();
process.stdout.write(`${JSON.stringify({ url, pid: process.pid })}\n`);
