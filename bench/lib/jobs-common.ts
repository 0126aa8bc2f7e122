import { mkdirSync, writeFileSync } from 'node:fs';
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
