import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { buildApp, type App, type BuildOptions } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';

export interface TestApp {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  /** ws://127.0.0.1:PORT/graphql */
  readonly wsUrl: string;
  readonly dataDir: string;
  readonly app: App;
  stop(): Promise<void>;
  /** Stops this app and starts a new one on the same data folder (same SQLite file). */
  restart(): Promise<TestApp>;
}

export interface TestAppOptions extends BuildOptions {
  env?: Record<string, string>;
  /** Reuse a data folder (for restarts); a new temp folder otherwise. */
  dataDir?: string;
  /** Keep the data folder after stop (restart keeps it anyway). */
  keepData?: boolean;
}

/** Starts the real app on port 0 with a temp SQLite file, quiet logs and fast restarts. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const dataDir = opts.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-test-')));
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    ROADIE_DATA_DIR: dataDir,
    ROADIE_LOG_LEVEL: 'warn',
    ROADIE_LOG_PRETTY: 'false',
    ROADIE_DAEMON_RESTART_BASE_MS: '20',
    NODE_ENV: 'test',
    ...opts.env,
  });
  const app = await buildApp(config, opts);
  const { url } = await app.start();
  const self: TestApp = {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    dataDir,
    app,
    async stop() {
      await app.stop();
      if (!opts.keepData && !opts.dataDir) await fs.rm(dataDir, { recursive: true, force: true });
    },
    async restart() {
      await app.stop();
      return startTestApp({ ...opts, dataDir, keepData: true });
    },
  };
  return self;
}

/** POSTs a GraphQL operation and returns its data, throwing on GraphQL errors. */
export async function gql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: { message: string }[] };
  if (body.errors?.length) throw new Error(`GraphQL errors: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}
