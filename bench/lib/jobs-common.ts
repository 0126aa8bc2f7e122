import { mkdirSync, writeFileSync } from 'node:fs';
import { fork } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Shared pieces of the task-center benchmarks (bench/jobs-*.ts): options, percentiles, results files. */

export const benchDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const repoRoot = path.resolve(benchDir, '..');
export const resultsDir = path.join(benchDir, 'results');

/** `--name=value` on the command line, else BENCH_NAME in the environment, else `fallback`. */
export function option(name: string, fallback: string): string {
  const hit = process.argv.find((a) => a.startsWith(`--${name}=`));
  return hit ? hit.slice(name.length + 3) : (process.env[`BENCH_${name.toUpperCase().replace(/-/g, '_')}`] ?? fallback);
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export interface Machine {
  cpuModel: string;
  cpuCount: number;
  totalMemMiB: number;
  platform: string;
  node: string;
}

export function machine(): Machine {
  const cpus = os.cpus();
  return {
    cpuModel: cpus[0]?.model ?? 'unknown',
    cpuCount: cpus.length,
    totalMemMiB: Math.round(os.totalmem() / 2 ** 20),
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
  };
}

export function machineLine(m: Machine): string {
  return `${m.cpuCount} × ${m.cpuModel}, ${m.totalMemMiB} MiB, ${m.platform}, Node ${m.node}`;
}

/** Nearest-rank percentile of `values` (any order), p in [0, 100]. */
/** The median (the mean of the middle two for an even count); NaN for none. */
export function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank]!;
}

export interface Summary {
  n: number;
  min: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
}

export function summarize(values: readonly number[]): Summary {
  return {
    n: values.length,
    min: Math.min(...values),
    p50: percentile(values, 50),
    p90: percentile(values, 90),
    p99: percentile(values, 99),
    max: Math.max(...values),
    mean: values.reduce((a, b) => a + b, 0) / values.length,
  };
}

/** A markdown table (also printed to stdout). */
export function table(head: readonly string[], rows: readonly (readonly (string | number)[])[], rightFrom = 1): string {
  const align = head.map((_, i) => (i >= rightFrom ? '---:' : '---'));
  return [`| ${head.join(' | ')} |`, `|${align.join('|')}|`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

export const fmt = (v: number, digits = 2): string => (Number.isFinite(v) ? v.toFixed(digits) : '—');
export const fmtInt = (v: number): string => (Number.isFinite(v) ? Math.round(v).toLocaleString('en-US') : '—');

/** Writes bench/results/<name>.json and .md. */
export function writeResults(name: string, json: unknown, markdown: string): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(path.join(resultsDir, `${name}.json`), `${JSON.stringify(json, null, 2)}\n`);
  writeFileSync(path.join(resultsDir, `${name}.md`), markdown.endsWith('\n') ? markdown : `${markdown}\n`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** What a benchmark child sends its parent: its result, or why it has none. */
export type ChildMessage<R> = { ok: true; result: R } | { ok: false; reason: string };

/**
 * Runs `script` again as a child process for one system (`--child=<name>` plus this process's
 * options) and resolves with the one message it sends, or why it sent none (killed after 5 min).
 */
export function forkChild<R>(script: string, name: string, execArgv: readonly string[]): Promise<ChildMessage<R>> {
  return new Promise((resolve) => {
    const c = fork(script, [`--child=${name}`, ...process.argv.slice(2).filter((a) => !a.startsWith('--child='))], {
      cwd: repoRoot,
      execArgv: [...execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let got: ChildMessage<R> | null = null;
    const timer = setTimeout(() => c.kill('SIGKILL'), 300_000);
    c.on('message', (m: ChildMessage<R>) => (got = m));
    c.on('exit', (code) => {
      clearTimeout(timer);
      resolve(got ?? { ok: false, reason: `child exited with ${code} without a result` });
    });
  });
}

/** In the child: runs the work, sends its result (or the error) to the parent, and exits. */
export async function answerParent<R>(work: () => Promise<R>): Promise<void> {
  let msg: ChildMessage<R>;
  try {
    msg = { ok: true, result: await work() };
  } catch (err) {
    msg = { ok: false, reason: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  }
  process.send!(msg, () => process.exit(0));
}

/**
 * Runs every system `repeat` times, one child at a time, rotating the order each round so no
 * system always goes first; a system whose child fails is reported once and skipped after.
 */
export async function runInterleaved<R>(
  names: readonly string[],
  repeat: number,
  runChild: (name: string) => Promise<ChildMessage<R>>,
  describe: (result: R) => string,
): Promise<{ runs: Record<string, R[]>; unavailable: Record<string, string> }> {
  const runs: Record<string, R[]> = {};
  const unavailable: Record<string, string> = {};
  for (let r = 0; r < repeat; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length]!;
      if (unavailable[name]) continue;
      const m = await runChild(name);
      if (m.ok) {
        (runs[name] ??= []).push(m.result);
        process.stderr.write(`  ${name} #${r + 1}: ${describe(m.result)}\n`);
      } else {
        unavailable[name] = m.reason;
        process.stderr.write(`  ${name}: unavailable: ${m.reason.split('\n')[0]!.slice(0, 300)}\n`);
      }
    }
  }
  return { runs, unavailable };
}
