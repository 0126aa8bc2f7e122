/**
 * Fan-out benchmark: one daemon status change delivered to N (default 1,000) subscribers.
 *
 *   npm run bench            (node --import tsx bench/fanout.ts)
 *   options: --clients=1000 --rounds=60 --warmup=10 --quiet-ms=30 --settle-ms=100 --only=bare,stock,roadie
 *            --no-shared-row  (skip the informational "stock + useSharedSubscriptions" server)
 *            --roadie-exp=DIR[,DIR…] (more Roadie rows, built from modified copies of the repo)
 *            --profile        (CPU profiles of the servers during the rounds; see bench/profile-summary.ts)
 *            --no-write       (print only; profiled and experiment runs never write bench/results)
 *   env:     BENCH_CLIENT_PARSE=1 (clients JSON.parse every message, as graphql-ws's createClient would)
 *
 * Every server runs in its own child process; the subscribers live in one more child
 * (bench/fanout-clients.ts) that triggers each round over HTTP and times it with process.hrtime.
 * Rounds are interleaved across the servers. Results: stdout, bench/results/fanout.{json,md}.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DEFAULT_TEMPLATE,
  readCpuTicks,
  type DaemonStatusData,
  type FromClient,
  type FromServer,
  type ServerReady,
  type TargetRounds,
  type TargetSpec,
  type ToClient,
  type ToServer,
} from './lib/common.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const resultsDir = path.join(here, 'results');

function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : (process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
}
const CLIENTS = Number(option('clients', '1000'));
const ROUNDS = Number(option('rounds', '60'));
const WARMUP = Number(option('warmup', '10'));
const QUIET_MS = Number(option('quiet-ms', '30'));
const SETTLE_MS = Number(option('settle-ms', '100'));
const TIMEOUT_MS = Number(option('timeout-ms', '10000'));
const ONLY = option('only', '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const SHARED_ROW = !process.argv.includes('--no-shared-row');
/**
 * --profile: CPU-profile every server during the rounds into $TMPDIR/roadie-bench-profiles/<name>.cpuprofile
 * (summary: node --import tsx bench/profile-summary.ts <dir>). Profiled figures are perturbed, so
 * a profiled run prints its table but does not write bench/results.
 */
const PROFILE = process.argv.includes('--profile');
const NO_WRITE = process.argv.includes('--no-write');
const WATCHDOG_MS = Number(option('watchdog-ms', '300000'));
/** Before starting, wait up to this long for other processes to leave the cores alone. */
const WAIT_QUIET_S = Number(option('wait-quiet', '30'));
const QUIET_CORES = 0.25;

interface ServerDef {
  name: string;
  label: string;
  file: string;
  env?: Record<string, string>;
}

const SERVERS: ServerDef[] = [
  { name: 'bare', label: 'bare ws broadcast', file: 'bare-server.ts' },
  { name: 'stock', label: 'stock yoga + graphql-ws', file: 'stock-server.ts' },
  ...(SHARED_ROW
    ? [{ name: 'stock-shared', label: 'stock + useSharedSubscriptions (info)', file: 'stock-server.ts', env: { BENCH_SHARED: '1' } }]
    : []),
  { name: 'roadie', label: 'Roadie', file: 'roadie-server.ts' },
  // --roadie-exp=DIR[,DIR…]: more Roadie rows, built from modified copies of the repo (experiments).
  ...option('roadie-exp', '')
    .split(',')
    .filter(Boolean)
    .map((dir, i) => ({ name: `roadie-exp${i + 1}`, label: `Roadie @ ${dir}`, file: 'roadie-server.ts', env: { BENCH_ROADIE_ROOT: dir } })),
].filter((s) => ONLY.length === 0 || ONLY.includes(s.name));

const children: ChildProcess[] = [];
const watchdog = setTimeout(() => {
  console.error(`fanout: watchdog: still running after ${WATCHDOG_MS} ms, stopping`);
  for (const c of children) c.kill('SIGKILL');
  process.exit(2);
}, WATCHDOG_MS);
watchdog.unref();

function spawnChild(file: string, env: Record<string, string> = {}, gc = false): ChildProcess {
  const child = fork(path.join(here, file), [], {
    cwd: root,
    execArgv: ['--import', 'tsx', ...(gc ? ['--expose-gc'] : [])],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}

/** Next IPC message from `child` that satisfies `pick`. */
function waitFor<T, M>(child: ChildProcess, pick: (m: M) => T | undefined, what: string, ms = 60_000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out waiting for ${what}`)), ms);
    const onMessage = (m: M) => {
      const v = pick(m);
      if (v !== undefined) done(undefined, v);
    };
    const onExit = (code: number | null) => done(new Error(`child exited (${code}) while waiting for ${what}`));
    function done(err?: Error, v?: T) {
      clearTimeout(timer);
      child.off('message', onMessage);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve(v as T);
    }
    child.on('message', onMessage);
    child.on('exit', onExit);
  });
}

function ask<T>(child: ChildProcess, msg: ToServer, ev: FromServer['ev']): Promise<T> {
  const p = waitFor<T, FromServer>(child, (m) => (m.ev === ev ? (m as T) : undefined), `${ev} from server`);
  child.send(msg);
  return p;
}

interface Running {
  def: ServerDef;
  child: ChildProcess;
  ready: ServerReady;
  rssBefore: number;
  rssAfter: number;
  heapBefore: number;
  heapAfter: number;
  connectMs: number;
  snapshot: string;
  triggerAloneMs: number;
  cpuBeforeUs: number;
  cpuAfterUs: number;
  /** Whatever the server child reports (Roadie: daemon:changed events by daemon during the run). */
  stats: Record<string, unknown>;
}

const clientChild = spawnChild('fanout-clients.ts');
clientChild.on('message', (m: FromClient) => {
  if (m.ev === 'progress') process.stderr.write(`  ${m.text}\n`);
  if (m.ev === 'error') console.error(`fanout: client error: ${m.message}`);
});
function tellClient<T>(msg: ToClient, pick: (m: FromClient) => T | undefined, what: string, ms?: number): Promise<T> {
  const p = waitFor<T, FromClient>(clientChild, (m) => (m.ev === 'error' ? (() => { throw new Error(m.message); })() : pick(m)), what, ms);
  clientChild.send(msg);
  return p;
}

const tmpDirs: string[] = [];
let otherCoresBefore: number | null = null;
let otherCoresDuringRun: number | null = null;

async function startServer(def: ServerDef, template: DaemonStatusData): Promise<Running | { unavailable: string }> {
  const env: Record<string, string> = { ...def.env, BENCH_TEMPLATE: JSON.stringify(template) };
  if (def.name.startsWith('roadie')) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'roadie-bench-'));
    tmpDirs.push(dir);
    env.BENCH_ROADIE_DATA_DIR = dir;
  }
  const child = spawnChild(def.file, env, true);
  const first = await waitFor<FromServer, FromServer>(child, (m) => (m.ev === 'ready' || m.ev === 'unavailable' ? m : undefined), `${def.name} ready`);
  if (first.ev === 'unavailable') return { unavailable: first.reason };
  const ready = first as ServerReady;
  const target: TargetSpec = {
    name: def.name,
    label: def.label,
    httpUrl: ready.httpUrl,
    wsUrl: ready.wsUrl,
    protocol: ready.protocol,
    ...(ready.query ? { query: ready.query } : {}),
    triggers: ready.triggers,
  };
  const prepared = await tellClient(
    { cmd: 'prepare', target, count: CLIENTS },
    (m) => (m.ev === 'prepared' && m.name === def.name ? m : undefined),
    `${def.name}: trigger alone`,
  );
  const before = await ask<{ rss: number; heapUsed: number }>(child, { cmd: 'rss' }, 'rss');
  const connected = await tellClient(
    { cmd: 'connect', name: def.name },
    (m) => (m.ev === 'connected' && m.name === def.name ? m : undefined),
    `${def.name}: ${CLIENTS} subscribers`,
    120_000,
  );
  await new Promise((r) => setTimeout(r, 300));
  const after = await ask<{ rss: number; heapUsed: number }>(child, { cmd: 'rss' }, 'rss');
  process.stderr.write(`  ${def.name}: ${CLIENTS} subscribers in ${connected.ms.toFixed(0)} ms\n`);
  return {
    def,
    child,
    ready,
    rssBefore: before.rss,
    rssAfter: after.rss,
    heapBefore: before.heapUsed,
    heapAfter: after.heapUsed,
    connectMs: connected.ms,
    snapshot: connected.snapshot,
    triggerAloneMs: prepared.triggerAloneMedianMs,
    cpuBeforeUs: 0,
    cpuAfterUs: 0,
    stats: {},
  };
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[idx]!;
}
function stats(ns: number[]) {
  const ms = ns.map((v) => v / 1e6).sort((a, b) => a - b);
  return {
    n: ms.length,
    medianMs: quantile(ms, 0.5),
    p90Ms: quantile(ms, 0.9),
    minMs: ms[0] ?? NaN,
    maxMs: ms[ms.length - 1] ?? NaN,
    meanMs: ms.reduce((a, b) => a + b, 0) / (ms.length || 1),
  };
}
const r2 = (v: number) => Math.round(v * 100) / 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Cores kept busy by other processes over `ms` (machine busy − this process), or null. */
async function otherLoad(ms: number): Promise<number | null> {
  const a = readCpuTicks();
  const cpu0 = process.cpuUsage();
  const t0 = Date.now();
  await sleep(ms);
  const b = readCpuTicks();
  if (!a || !b || b.total === a.total) return null;
  const cores = os.cpus().length;
  const busyCores = ((b.busy - a.busy) / (b.total - a.total)) * cores;
  const own = process.cpuUsage(cpu0);
  return Math.max(0, busyCores - (own.user + own.system) / 1000 / (Date.now() - t0));
}

async function main(): Promise<void> {
  const startedAt = new Date();
  let before = await otherLoad(1000);
  for (let waited = 1; before !== null && before > QUIET_CORES && waited < WAIT_QUIET_S; waited++) {
    if (waited === 1) process.stderr.write(`fanout: other processes use ${before.toFixed(2)} cores; waiting up to ${WAIT_QUIET_S} s for quiet\n`);
    before = await otherLoad(1000);
  }
  if (before !== null && before > QUIET_CORES) {
    process.stderr.write(`fanout: WARNING: other processes use ${before.toFixed(2)} of ${os.cpus().length} cores; figures will be noisy\n`);
  }
  otherCoresBefore = before;
  process.stderr.write(`fanout: ${CLIENTS} subscribers, ${WARMUP} warm-up + ${ROUNDS} rounds per server\n`);

  // Roadie first when it is there: its snapshot is the template of the bare/stock payload, so all
  // servers send events of the same shape and size.
  const running: Running[] = [];
  const unavailable: Record<string, string> = {};
  let template = DEFAULT_TEMPLATE;
  const ordered = [...SERVERS].sort((a, b) => (a.name === 'roadie' ? -1 : b.name === 'roadie' ? 1 : 0));
  for (const def of ordered) {
    const r = await startServer(def, template);
    if ('unavailable' in r) {
      unavailable[def.name] = r.unavailable;
      process.stderr.write(`  ${def.name}: unavailable (${r.unavailable.split('\n')[0]})\n`);
      continue;
    }
    running.push(r);
    if (def.name === 'roadie') {
      const msg = JSON.parse(r.snapshot) as { payload: { data: DaemonStatusData } };
      template = msg.payload.data;
    }
  }
  const order = SERVERS.map((s) => s.name).filter((n) => running.some((r) => r.def.name === n));

  const profileDir = path.join(os.tmpdir(), 'roadie-bench-profiles');
  if (PROFILE) {
    rmSync(profileDir, { recursive: true, force: true });
    mkdirSync(profileDir, { recursive: true });
    for (const r of running) await ask(r.child, { cmd: 'profile-start' }, 'profile');
  }
  for (const r of running) r.cpuBeforeUs = await cpuOf(r.child);
  const ticks0 = readCpuTicks();
  const own0 = process.cpuUsage();
  const wall0 = Date.now();
  const { byTarget: results, clientCpuUs } = await tellClient(
    { cmd: 'run', names: order, warmup: WARMUP, rounds: ROUNDS, quietMs: QUIET_MS, settleMs: SETTLE_MS, timeoutMs: TIMEOUT_MS },
    (m) => (m.ev === 'results' ? m : undefined),
    'rounds',
    WATCHDOG_MS,
  );
  const ticks1 = readCpuTicks();
  const wallS = (Date.now() - wall0) / 1000;
  const own = process.cpuUsage(own0);
  for (const r of running) r.cpuAfterUs = await cpuOf(r.child);
  if (ticks0 && ticks1 && ticks1.total > ticks0.total) {
    const busyCores = ((ticks1.busy - ticks0.busy) / (ticks1.total - ticks0.total)) * os.cpus().length;
    const oursUs = clientCpuUs + own.user + own.system + running.reduce((a, r) => a + (r.cpuAfterUs - r.cpuBeforeUs), 0);
    otherCoresDuringRun = Math.max(0, busyCores - oursUs / 1e6 / wallS);
  }
  for (const r of running) {
    r.stats = (await ask<{ stats: Record<string, unknown> }>(r.child, { cmd: 'stats' }, 'stats')).stats;
  }
  if (PROFILE) {
    for (const r of running) {
      await ask(r.child, { cmd: 'profile-stop', file: path.join(profileDir, `${r.def.name}.cpuprofile`) }, 'profile');
    }
    process.stderr.write(`  profiles in ${profileDir}/ (summary: node --import tsx bench/profile-summary.ts ${profileDir})\n`);
  }

  await tellClient({ cmd: 'close' }, (m) => (m.ev === 'closed' ? true : undefined), 'client close', 10_000).catch(() => undefined);
  for (const r of running) await ask(r.child, { cmd: 'stop' }, 'stopped').catch(() => r.child.kill('SIGKILL'));

  report(startedAt, running, results, unavailable, template);
}

async function cpuOf(child: ChildProcess): Promise<number> {
  const c = await ask<{ userUs: number; systemUs: number }>(child, { cmd: 'cpu' }, 'cpu');
  return c.userUs + c.systemUs;
}

function report(
  startedAt: Date,
  running: Running[],
  results: Record<string, TargetRounds>,
  unavailable: Record<string, string>,
  template: DaemonStatusData,
): void {
  const bare = running.find((r) => r.def.name === 'bare');
  const bareStats = bare ? stats(results.bare!.samplesNs) : undefined;
  const rows = SERVERS.filter((s) => running.some((r) => r.def.name === s.name)).map((def) => {
    const r = running.find((x) => x.def.name === def.name)!;
    const res = results[def.name]!;
    const s = stats(res.samplesNs);
    const first = stats(res.firstNs);
    const resp = stats(res.responseNs);
    const roundsRun = WARMUP + ROUNDS;
    const msgs = res.messagesPerRound;
    return {
      name: def.name,
      label: def.label,
      rounds: s.n,
      failures: res.failures,
      medianMs: r2(s.medianMs),
      p90Ms: r2(s.p90Ms),
      minMs: r2(s.minMs),
      maxMs: r2(s.maxMs),
      meanMs: r2(s.meanMs),
      firstSubscriberMedianMs: r2(first.medianMs),
      triggerResponseMedianMs: r2(resp.medianMs),
      triggerAloneMedianMs: r2(r.triggerAloneMs),
      ratioMedianToBare: bareStats ? r2(s.medianMs / bareStats.medianMs) : null,
      ratioP90ToBare: bareStats ? r2(s.p90Ms / bareStats.p90Ms) : null,
      rssBeforeMiB: r2(r.rssBefore / 2 ** 20),
      rssAfterMiB: r2(r.rssAfter / 2 ** 20),
      rssPerConnKiB: r2((r.rssAfter - r.rssBefore) / CLIENTS / 1024),
      heapPerConnKiB: r2((r.heapAfter - r.heapBefore) / CLIENTS / 1024),
      serverCpuMsPerRound: r2((r.cpuAfterUs - r.cpuBeforeUs) / roundsRun / 1000),
      clientCpuMsPerRoundMedian: r2(stats(res.clientCpuUs.map((u) => u * 1000)).medianMs),
      messagesPerRoundMedian: quantile([...msgs].sort((a, b) => a - b), 0.5),
      eventBytes: res.eventBytes,
      sampleEvent: res.sampleEvent.length > 400 ? `${res.sampleEvent.slice(0, 400)}…` : res.sampleEvent,
      connectMs: Math.round(r.connectMs),
      trigger: r.ready.triggers.map((t) => `POST ${t.path} ${t.body}`),
      notes: r.ready.notes ?? [],
      serverStats: r.stats,
    };
  });

  const cpus = os.cpus();
  const machine = {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    cpuMHz: cpus[0]?.speed ?? null,
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
  const out = {
    date: startedAt.toISOString(),
    durationS: r2((Date.now() - startedAt.getTime()) / 1000),
    machine,
    settings: { subscribers: CLIENTS, warmupRounds: WARMUP, measuredRounds: ROUNDS, quietMs: QUIET_MS, settleMs: SETTLE_MS, interleaved: true },
    /** Cores used by processes other than the benchmark's (from /proc/stat): noise indicator. */
    otherLoadCores: { beforeStart: otherCoresBefore === null ? null : r2(otherCoresBefore), duringRounds: otherCoresDuringRun === null ? null : r2(otherCoresDuringRun) },
    method:
      'Each server in its own child process; all subscribers in one client child process. Per round the client ' +
      'takes process.hrtime, POSTs the trigger over a keep-alive HTTP connection and stops the clock when the ' +
      'last of the N sockets has received a message containing the expected state; then it waits for quiet ' +
      '(no message for quiet-ms) and settle-ms more, so a server\'s after-work does not overlap the next round. ' +
      'Rounds are interleaved across servers (order rotated). "trigger alone" = median HTTP round trip of the ' +
      'trigger before any subscriber is connected (20 toggles). RSS/conn = (RSS with N subscribed − RSS before) / N, ' +
      'both after global.gc(). Server CPU/round = process.cpuUsage delta over warm-up+measured rounds / rounds.',
    eventTemplate: template,
    results: rows,
    unavailable,
  };

  // ---- stdout table ----
  const head = ['server', 'median ms', 'p90 ms', '×bare (med)', '×bare (p90)', 'first ms', 'trigger alone ms', 'srv CPU ms/evt', 'RSS KiB/conn', 'msgs/round', 'bytes'];
  const lines = rows.map((r) => [
    r.label,
    r.medianMs.toFixed(2),
    r.p90Ms.toFixed(2),
    r.ratioMedianToBare?.toFixed(2) ?? '—',
    r.ratioP90ToBare?.toFixed(2) ?? '—',
    r.firstSubscriberMedianMs.toFixed(2),
    r.triggerAloneMedianMs.toFixed(2),
    r.serverCpuMsPerRound.toFixed(2),
    r.rssPerConnKiB.toFixed(1),
    String(r.messagesPerRoundMedian),
    String(r.eventBytes),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log('');
  console.log(`Fan-out of one daemon status event to ${CLIENTS} graphql-ws subscribers (${ROUNDS} rounds after ${WARMUP} warm-up, interleaved)`);
  console.log(`${machine.cpuCount} × ${machine.cpuModel}, Node ${machine.node}, ${startedAt.toISOString()}`);
  console.log(`other processes during the rounds: ${otherCoresDuringRun === null ? 'unknown' : `${otherCoresDuringRun.toFixed(2)} cores`}`);
  console.log(fmt(head));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const l of lines) console.log(fmt(l));
  for (const r of rows) for (const f of r.failures) console.log(`  ! ${r.name}: ${f}`);
  for (const [name, reason] of Object.entries(unavailable)) console.log(`  (${name} not run: ${reason.split('\n')[0]})`);
  console.log('');

  if (PROFILE || NO_WRITE || running.some((r) => r.def.name.startsWith('roadie-exp'))) {
    console.log('(profiled, experiment or --no-write run: bench/results not written)');
    return;
  }
  // ---- files ----
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, 'fanout.json'), `${JSON.stringify(out, null, 2)}\n`);
  const md = [
    '# Fan-out benchmark',
    '',
    `Generated by \`npm run bench\` (bench/fanout.ts) on ${out.date} in ${out.durationS} s.`,
    '',
    `Machine: ${machine.cpuCount} × ${machine.cpuModel}${machine.cpuMHz ? ` (${machine.cpuMHz} MHz)` : ''}, ${machine.totalMemMiB} MiB, ${machine.platform}, Node ${machine.node}.`,
    `Other processes used ${otherCoresDuringRun === null ? 'an unknown share of the' : `${otherCoresDuringRun.toFixed(2)} of ${machine.cpuCount}`} cores during the rounds.`,
    '',
    `One daemon status change fanned out to ${CLIENTS} subscribers held by a separate client process; ` +
      `time from the trigger (HTTP POST) until the last subscriber has the event. ${ROUNDS} measured rounds per server ` +
      `after ${WARMUP} warm-up rounds, interleaved across servers.`,
    '',
    '| server | median ms | p90 ms | median ×bare | p90 ×bare | first subscriber ms | trigger alone ms | server CPU ms/event | RSS KiB/conn | msgs/round | event bytes |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.label} | ${r.medianMs.toFixed(2)} | ${r.p90Ms.toFixed(2)} | ${r.ratioMedianToBare?.toFixed(2) ?? '—'} | ${r.ratioP90ToBare?.toFixed(2) ?? '—'} | ${r.firstSubscriberMedianMs.toFixed(2)} | ${r.triggerAloneMedianMs.toFixed(2)} | ${r.serverCpuMsPerRound.toFixed(2)} | ${r.rssPerConnKiB.toFixed(1)} | ${r.messagesPerRoundMedian} | ${r.eventBytes} |`,
    ),
    '',
    ...rows.flatMap((r) => [
      `- **${r.label}**: trigger ${r.trigger.join(' / ')}${r.notes.length ? `; ${r.notes.join('; ')}` : ''}` +
        `${Object.keys(r.serverStats).length ? `; ${JSON.stringify(r.serverStats)}` : ''}` +
        `${r.failures.length ? `; ${r.failures.length} failed round(s): ${r.failures[0]}` : ''}`,
    ]),
    ...Object.entries(unavailable).map(([n, reason]) => `- **${n}** not run: ${reason.split('\n')[0]}`),
    '',
    `Method: ${out.method}`,
    '',
    `Rounds are spaced (quiet ${QUIET_MS} ms + settle ${SETTLE_MS} ms), as status changes are in practice; back-to-back ` +
      'rounds (--settle-ms=0) make every server faster, the GraphQL servers most, so compare runs with the same settings.',
    '',
    'Figures are from this run only; see fanout.json for min/max/mean, connect times and a sample event.',
    '',
  ].join('\n');
  writeFileSync(path.join(resultsDir, 'fanout.md'), md);
}

main()
  .catch((error: unknown) => {
    console.error('fanout: failed:', error);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    for (const d of tmpDirs) rmSync(d, { recursive: true, force: true });
    clearTimeout(watchdog);
    if (!existsSync(resultsDir)) mkdirSync(resultsDir, { recursive: true });
  });
