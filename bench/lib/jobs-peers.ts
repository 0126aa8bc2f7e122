import { execSync } from 'node:child_process';

/** Local Redis and PostgreSQL for the peers of the task-center benchmarks; started if they are down. */

export const REDIS = { host: '127.0.0.1', port: 6379 };
export const PG_BASE = process.env.BENCH_PG_URL ?? 'postgres://postgres@127.0.0.1:5432';

function quiet(cmd: string): boolean {
  try {
    execSync(cmd, { stdio: 'ignore', timeout: 20_000 });
    return true;
  } catch {
    return false;
  }
}

/** Makes sure Redis answers on 127.0.0.1:6379 (starts redis-server if not); returns why not, or null. */
export function ensureRedis(): string | null {
  if (quiet('redis-cli -h 127.0.0.1 -p 6379 ping')) return null;
  quiet('redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log');
  for (let i = 0; i < 20; i++) {
    if (quiet('redis-cli -h 127.0.0.1 -p 6379 ping')) return null;
    execSync('sleep 0.25');
  }
  return 'Redis is not reachable on 127.0.0.1:6379 and could not be started';
}

/** Makes sure PostgreSQL accepts connections on 127.0.0.1:5432 (starts the cluster if not). */
export function ensurePostgres(): string | null {
  if (quiet('pg_isready -h 127.0.0.1 -p 5432')) return null;
  quiet('pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start');
  for (let i = 0; i < 40; i++) {
    if (quiet('pg_isready -h 127.0.0.1 -p 5432')) return null;
    execSync('sleep 0.25');
  }
  return 'PostgreSQL is not reachable on 127.0.0.1:5432 and could not be started';
}
