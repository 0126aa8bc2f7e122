import fs from 'node:fs/promises';
import { afterEach } from 'vitest';
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
  /** Stops this app and starts a new one on the same data folder (same SQLite file), optionally with other options (env …). */
  restart(changes?: Partial<TestAppOptions>): Promise<TestApp>;
}

export interface TestAppOptions extends BuildOptions {
  env?: Record<string, string>;
  /** Reuse a data folder (for restarts); a new temp folder otherwise. */
  dataDir?: string;
  /** Keep the data folder after stop (restart keeps it anyway). */
  keepData?: boolean;
}

/** Internal: the temp folder was created by startTestApp, so the last stop removes it. */
interface Owned {
  ownsDataDir?: boolean;
}

/** Starts the real app on port 0 with a temp SQLite file, quiet logs and fast restarts. */
export async function startTestApp(opts: TestAppOptions = {}): Promise<TestApp> {
  const owned = (opts as Owned).ownsDataDir ?? opts.dataDir === undefined;
  const dataDir = opts.dataDir ?? (await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-test-')));
  const removeData = async (): Promise<void> => {
    if (owned && !opts.keepData) await fs.rm(dataDir, { recursive: true, force: true });
  };
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
  let app: App;
  let url: string;
  try {
    app = await buildApp(config, opts);
    ({ url } = await app.start());
  } catch (err) {
    await removeData();
    throw err;
  }
  const self: TestApp = {
    url,
    wsUrl: `${url.replace(/^http/, 'ws')}/graphql`,
    dataDir,
    app,
    async stop() {
      await app.stop();
      await removeData();
    },
    async restart(changes = {}) {
      await app.stop();
      const next: TestAppOptions & Owned = { ...opts, ...changes, dataDir, ownsDataDir: owned };
      return startTestApp(next);
    },
  };
  return self;
}

/**
 * One app per test: `start` starts it, `track` follows the app a restart made; whichever is
 * current is stopped after each test (call at the top of a test file).
 */
export function appPerTest(): { start(opts?: TestAppOptions): Promise<TestApp>; track(t: TestApp): TestApp } {
  let current: TestApp | null = null;
  afterEach(async () => {
    const t = current;
    current = null;
    await t?.stop();
  });
  return {
    start: async (opts = {}) => (current = await startTestApp(opts)),
    track: (t) => (current = t),
  };
}

export interface GraphQLResponse<T> {
  status: number;
  headers: Headers;
  body: { data?: T | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
  /** The raw response text (to check nothing leaks). */
  text: string;
}

/** POSTs a GraphQL operation and returns status, headers and the parsed body, errors included. */
export async function gqlRaw<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<GraphQLResponse<T>> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as GraphQLResponse<T>['body'], text };
}

/** POSTs a GraphQL operation and returns its data, throwing on GraphQL errors. */
export async function gql<T = Record<string, unknown>>(url: string, query: string, variables?: Record<string, unknown>): Promise<T> {
  const { body } = await gqlRaw<T>(url, query, variables);
  if (body.errors?.length) throw new Error(`GraphQL errors: ${body.errors.map((e) => e.message).join('; ')}`);
  return body.data as T;
}
