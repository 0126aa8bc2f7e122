import { buildApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';

/** Read config, build the app, start it; stop it within 10 s on SIGINT/SIGTERM. */
const SHUTDOWN_DEADLINE_MS = 10_000;

let config;
try {
  config = loadConfig();
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(78); // EX_CONFIG
  }
  throw err;
}

const app = await buildApp(config);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    const deadline = setTimeout(() => {
      console.error(`Roadie did not stop within ${SHUTDOWN_DEADLINE_MS / 1000} s; exiting anyway`);
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    app.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('error while stopping', err);
        process.exit(1);
      },
    );
  });
}

await app.start();
