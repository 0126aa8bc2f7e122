/**
 * Speed meter accuracy on a real transfer: a local server (its own process) paced at 10 MB/s
 * then 50 MB/s (and 50 then 10), downloaded by Roadie's downloadFile; every onProgress call is
 * recorded and replayed through the pure meter (server/domain/downloads/speed-meter.ts), read
 * every 50 ms as a UI would. Goal from the tracker: within ±5 % of a steady rate 2 s after the
 * start, and within ±5 % of the new rate ≤ 3 s after a step change.
 *
 *   node --import tsx bench/speed-meter.ts
 *   options: --phase-s=5 (seconds per rate) --rates=10,50 (MB/s, 10^6 bytes) --repeat=3
 *            --half-lives=300,400,500,700 (ms; replayed from the same traces, for comparison)
 *            --no-write (print only)
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { addBytes, createMeter, DEFAULT_HALF_LIFE_MS, speedOf } from '../server/domain/downloads/speed-meter.js';
import { downloadFile } from '../server/downloads/http-download.js';
import { flag, fmt, machine, machineLine, median, option, table, writeResults } from './lib/jobs-common.js';

const PHASE_MS = Number(option('phase-s', '5')) * 1000;
const [LOW, HIGH] = option('rates', '10,50').split(',').map((r) => Number(r) * 1e6) as [number, number];
const REPEAT = Number(option('repeat', '3'));
const HALF_LIVES = option('half-lives', '300,400,500,700').split(',').map(Number);
if (!HALF_LIVES.includes(DEFAULT_HALF_LIFE_MS)) HALF_LIVES.push(DEFAULT_HALF_LIFE_MS);
const CHILD = option('child', '');
const NO_WRITE = flag('no-write');
const READ_EVERY_MS = 50;
const TOLERANCE = 0.05;
const GOAL_STEADY_AFTER_MS = 2000;
const GOAL_SETTLE_MS = 3000;

/** Wall-clock ms with sub-ms precision, comparable across the two processes. */
const clock = (): number => performance.timeOrigin + performance.now();

/** What the server tells the parent about one response: when its first byte left and when the rate changed. */
interface ServerTimes {
  firstByteAt: number;
  stepAt: number;
}

/** The child: serves GET /?r1=&r2=&ms= paced at r1 bytes/s for ms, then r2 for ms. */
function serve(): void {
  const server = http.createServer((req, res) => {
    const q = new URL(req.url ?? '/', 'http://x').searchParams;
    const r1 = Number(q.get('r1'));
    const r2 = Number(q.get('r2'));
    const ms = Number(q.get('ms'));
    const total = Math.round(((r1 + r2) * ms) / 1000);
    const block = Buffer.alloc(64 * 1024, 0x5a);
    res.writeHead(200, { 'content-length': total, 'content-type': 'application/octet-stream' });
    const t0 = clock();
    let sent = 0;
    let stepped = false;
    // catch up with the schedule every millisecond: exact on average whatever the timer jitter
    const due = (t: number): number => Math.min(total, Math.round((r1 * Math.min(t, ms) + r2 * Math.max(0, t - ms)) / 1000));
    const tick = (): void => {
      const t = clock() - t0;
      if (!stepped && t >= ms) {
        stepped = true;
        process.send?.({ firstByteAt: t0, stepAt: t0 + ms } satisfies ServerTimes);
      }
      const target = due(t);
      let ok = true;
      while (sent < target && ok) {
        const n = Math.min(block.length, target - sent);
        ok = res.write(n === block.length ? block : block.subarray(0, n));
        sent += n;
      }
      if (sent >= total) res.end();
      else if (ok) setTimeout(tick, 1);
      else res.once('drain', tick);
    };
    tick();
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

interface Trace {
  direction: string;
  r1: number;
  r2: number;
  times: ServerTimes;
  /** [clock ms, bytes done] per onProgress call. */
  progress: [number, number][];
}

async function record(srv: ChildProcess, port: number, r1: number, r2: number, dir: string): Promise<Trace> {
  const times = new Promise<ServerTimes>((resolve) => {
    const on = (m: unknown): void => {
      if (m && typeof m === 'object' && 'stepAt' in m) {
        srv.off('message', on);
        resolve(m as ServerTimes);
      }
    };
    srv.on('message', on);
  });
  const progress: [number, number][] = [];
  const dest = path.join(dir, `trace-${r1}-${r2}.bin`);
  await downloadFile({ url: `http://127.0.0.1:${port}/?r1=${r1}&r2=${r2}&ms=${PHASE_MS}`, dest, minFreeMarginBytes: 0, onProgress: (done) => progress.push([clock(), done]) });
  rmSync(dest, { force: true });
  return { direction: `${r1 / 1e6} → ${r2 / 1e6} MB/s`, r1, r2, times: await times, progress };
}

interface Scores {
  /** Largest |error| in the first phase from 2 s after the first byte to the step. */
  steadyMaxErr: number;
  /** |error| of the reading 2 s after the first byte. */
  errAt2s: number;
  /** From the step until every later reading is within ±5 % of the new rate. */
  settleMs: number;
  /** |error| of the reading 2 s after the step (info). */
  errAt2sAfterStep: number;
  /** Largest |error| from 3 s after the step to the end (noise at the new rate). */
  lateMaxErr: number;
}

/** Replays a trace through a meter with `halfLifeMs`, reading it every 50 ms. */
function score(tr: Trace, halfLifeMs: number): Scores {
  let m = createMeter(halfLifeMs);
  let prev = 0;
  let i = 0;
  const { firstByteAt, stepAt } = tr.times;
  const end = tr.progress.at(-1)![0];
  const readings: { t: number; err: number }[] = [];
  for (let t = firstByteAt + READ_EVERY_MS; t <= end; t += READ_EVERY_MS) {
    for (; i < tr.progress.length && tr.progress[i]![0] <= t; i++) {
      const [at, done] = tr.progress[i]!;
      m = addBytes(m, done - prev, at);
      prev = done;
    }
    const s = speedOf(m, t);
    const truth = t < stepAt ? tr.r1 : tr.r2;
    readings.push({ t, err: s === null ? Infinity : Math.abs(s - truth) / truth });
  }
  const at = (t: number): number => readings.reduce((best, r) => (Math.abs(r.t - t) < Math.abs(best.t - t) ? r : best)).err;
  const first = readings.filter((r) => r.t >= firstByteAt + GOAL_STEADY_AFTER_MS && r.t < stepAt);
  const second = readings.filter((r) => r.t >= stepAt);
  const lastBad = second.reduce((t, r) => (r.err > TOLERANCE ? r.t : t), stepAt);
  const late = second.filter((r) => r.t >= stepAt + GOAL_SETTLE_MS);
  return {
    steadyMaxErr: Math.max(...first.map((r) => r.err)),
    errAt2s: at(firstByteAt + GOAL_STEADY_AFTER_MS),
    settleMs: lastBad - stepAt + READ_EVERY_MS,
    errAt2sAfterStep: at(stepAt + GOAL_STEADY_AFTER_MS),
    lateMaxErr: late.length ? Math.max(...late.map((r) => r.err)) : NaN,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const srv = fork(fileURLToPath(import.meta.url), ['--child=server'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => srv.once('message', (m) => resolve((m as { port: number }).port)));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'roadie-bench-meter-'));
  const traces: Trace[] = [];
  try {
    for (let r = 0; r < REPEAT; r++) {
      for (const [r1, r2] of [
        [LOW, HIGH],
        [HIGH, LOW],
      ] as const) {
        const tr = await record(srv, port, r1, r2, dir);
        traces.push(tr);
        const s = score(tr, DEFAULT_HALF_LIFE_MS);
        process.stderr.write(`  ${tr.direction} #${r + 1}: steady max err ${fmt(s.steadyMaxErr * 100, 1)} %, settled in ${fmt(s.settleMs, 0)} ms\n`);
      }
    }
  } finally {
    srv.kill();
    rmSync(dir, { recursive: true, force: true });
  }

  const directions = [...new Set(traces.map((t) => t.direction))];
  const pct = (v: number): string => `${fmt(v * 100, 1)} %`;
  const rows: (string | number)[][] = [];
  const results: Record<string, Record<string, Scores[]>> = {};
  for (const h of HALF_LIVES.sort((a, b) => a - b)) {
    for (const d of directions) {
      const ss = traces.filter((t) => t.direction === d).map((t) => score(t, h));
      (results[`${h}`] ??= {})[d] = ss;
      const med = (k: keyof Scores): number => median(ss.map((s) => s[k]));
      const ok = med('steadyMaxErr') <= TOLERANCE && med('settleMs') <= GOAL_SETTLE_MS;
      rows.push([
        `${h} ms${h === DEFAULT_HALF_LIFE_MS ? ' (default)' : ''}`,
        d,
        pct(med('errAt2s')),
        pct(med('steadyMaxErr')),
        fmt(med('settleMs'), 0),
        pct(med('errAt2sAfterStep')),
        pct(med('lateMaxErr')),
        ok ? 'met' : 'not met',
      ]);
    }
  }
  const head = ['half-life', 'step', 'error at 2 s', 'max error 2 s → step', 'settling ms (±5 %)', 'error 2 s after step', 'max error 3 s after step → end', 'goal'];
  const m = machine();
  const md = [
    '# Speed meter benchmark',
    '',
    `Generated by \`node --import tsx bench/speed-meter.ts\` on ${startedAt.toISOString()}.`,
    '',
    `Machine: ${machineLine(m)}.`,
    '',
    `A local server in its own process sends ${PHASE_MS / 1000} s at one rate then ${PHASE_MS / 1000} s at the other (MB = 10^6 bytes), paced every millisecond; Roadie's downloadFile receives it and every onProgress call (one per chunk) is recorded, then replayed through the meter, read every ${READ_EVERY_MS} ms. Errors are relative to the server's rate at the reading's time (the step time is the server's, on the same clock). Median of ${REPEAT} transfers per direction; every half-life is scored on the same transfers. Goal: within ±5 % of a steady rate from 2 s after the first byte, and within ±5 % ≤ ${GOAL_SETTLE_MS / 1000} s after a step.`,
    '',
    table(head, rows, 2),
    '',
    '"error at 2 s": the reading 2 s after the first byte; "max error 2 s → step": the worst reading from then until the step; "settling": from the step until every later reading stays within ±5 % of the new rate; "error 2 s after step" and "max error 3 s after step → end" (the noise at the new rate) for information. Loopback with a paced server is the clean case: a real network adds jitter (the unit tests add up to 2 ms of jitter per chunk and stay within ±5 %).',
  ].join('\n');
  console.log(`\n${machineLine(m)}, ${startedAt.toISOString()}\n`);
  console.log(table(head, rows, 2));
  if (!NO_WRITE) {
    writeResults(
      'speed-meter',
      {
        date: startedAt.toISOString(),
        machine: m,
        settings: { phaseMs: PHASE_MS, rates: [LOW, HIGH], repeat: REPEAT, halfLives: HALF_LIVES, defaultHalfLifeMs: DEFAULT_HALF_LIFE_MS, readEveryMs: READ_EVERY_MS, tolerance: TOLERANCE },
        results,
        traces: traces.map((t) => ({ direction: t.direction, times: t.times, calls: t.progress.length, bytes: t.progress.at(-1)?.[1] ?? 0 })),
      },
      md,
    );
    console.log('\nwrote bench/results/speed-meter.{json,md}');
  }
}

if (CHILD === 'server') serve();
else await main();
