/**
 * Download throughput over loopback: Roadie's downloadFile (server/downloads/http-download.ts)
 * against `curl -s -o <file>`, both writing the same pre-generated file from a local node:http
 * server in its own process. Goal from the tracker: Roadie ≥ 0.9 × curl.
 *
 *   node --import tsx bench/download.ts
 *   options: --size-mib=1024 --repeat=3 --only=roadie,curl
 *            --transport-size-mib=256  (the transport comparison behind downloadFile's choice;
 *                                       --transport-size-mib=0 skips it)
 *            --no-write (print only)
 *
 * Each Roadie run is a fresh child process (this file with --child=<name>) timed from the call
 * to its return (sha256 verified, file renamed into place); curl is timed from spawn to exit.
 * Systems run one after another, interleaved, `repeat` times; the output file is deleted and
 * `sync` run between runs (not timed) so no run inherits another's dirty pages. The served file
 * is random bytes in $TMPDIR, generated once and kept for later runs.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { downloadFile } from '../server/downloads/http-download.js';
import { answerParent, flag, fmt, forkChild, machine, machineLine, median, option, runInterleaved, sleep, table, writeResults, type ChildMessage } from './lib/jobs-common.js';

const MiB = 2 ** 20;
const SIZE_MIB = Number(option('size-mib', '1024'));
const TRANSPORT_MIB = Number(option('transport-size-mib', '256'));
const REPEAT = Number(option('repeat', '3'));
const CHILD = option('child', '');
const NO_WRITE = flag('no-write');
const ONLY = option('only', '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const GOAL_RATIO = 0.9;
/** Set by the parent for its children. */
const URL_ENV = 'ROADIE_BENCH_DL_URL';
const OUT_ENV = 'ROADIE_BENCH_DL_OUT';
const SHA_ENV = 'ROADIE_BENCH_DL_SHA256';

interface RunResult {
  bytes: number;
  seconds: number;
  mbPerS: number;
  /** CPU seconds of the downloading process (user + system), where known. */
  cpuS: number | null;
  loadAverage: [number, number];
}

interface System {
  name: string;
  label: string;
  /** Which table: the Roadie-vs-curl goal, or the transport comparison. */
  part: 'main' | 'transport';
}

const SYSTEMS: System[] = [
  { name: 'roadie', label: "Roadie downloadFile (undici.request, sha256, .part → rename)", part: 'main' },
  { name: 'curl', label: 'curl -s -o <file>', part: 'main' },
  { name: 'roadie-nohash', label: 'Roadie downloadFile, hash: false (info: the cost of SHA-256)', part: 'main' },
  { name: 'request-data', label: "undici.request body, 'data' events → fs.createWriteStream, sha256 (downloadFile's transport)", part: 'transport' },
  { name: 'fetch-fromweb', label: "undici.fetch + Readable.fromWeb, 'data' events → fs.createWriteStream, sha256", part: 'transport' },
  { name: 'request-pipeline', label: 'undici.request body → stream.pipeline(sha256 Transform, fs.createWriteStream)', part: 'transport' },
];

const BODY_HWM = MiB;
const WRITE_HWM = 8 * MiB;

/** The file a size is served from: random bytes, generated once, with its SHA-256 alongside. */
async function servedFile(mib: number): Promise<{ file: string; sha256: string }> {
  const file = path.join(os.tmpdir(), `roadie-bench-download-${mib}mib.bin`);
  if (!existsSync(file) || !existsSync(`${file}.sha256`) || statSync(file).size !== mib * MiB) {
    process.stderr.write(`generating ${file} (${mib} MiB of random bytes)…\n`);
    const hash = createHash('sha256');
    const block = Buffer.alloc(8 * MiB);
    const fh = await fs.open(file, 'w');
    for (let done = 0; done < mib * MiB; done += block.length) {
      const b = randomFillSync(block).subarray(0, Math.min(block.length, mib * MiB - done));
      hash.update(b);
      await fh.write(b);
    }
    await fh.close();
    writeFileSync(`${file}.sha256`, hash.digest('hex'));
  }
  return { file, sha256: readFileSync(`${file}.sha256`, 'utf8').trim() };
}

/** The server child: GET /<mib> streams the file of that size with big reads (sendfile-style). */
function serve(): void {
  const server = http.createServer((req, res) => {
    const file = path.join(os.tmpdir(), `roadie-bench-download-${Number(req.url?.slice(1))}mib.bin`);
    const size = statSync(file).size;
    res.writeHead(200, { 'content-length': size, 'content-type': 'application/octet-stream', etag: `"${size}"` });
    createReadStream(file, { highWaterMark: 4 * MiB }).pipe(res);
  });
  server.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
}

/** Hash every chunk and write it with back-pressure: the work downloadFile does per chunk. */
function consume(body: Readable, file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    const ws = createWriteStream(file, { highWaterMark: WRITE_HWM });
    let bytes = 0;
    body.on('data', (c: Buffer) => {
      bytes += c.length;
      h.update(c);
      if (!ws.write(c)) {
        body.pause();
        ws.once('drain', () => body.resume());
      }
    });
    body.once('end', () => ws.end(() => resolve(bytes)));
    body.once('error', reject);
    ws.once('error', reject);
  });
}

/** One download in this (child) process, by system name. */
async function downloadOnce(name: string, url: string, out: string, sha256: string): Promise<number> {
  const dispatcher = new Agent();
  try {
    switch (name) {
      case 'roadie':
        return (await downloadFile({ url, dest: out, sha256, minFreeMarginBytes: 0 })).bytes;
      case 'roadie-nohash':
        return (await downloadFile({ url, dest: out, hash: false, minFreeMarginBytes: 0 })).bytes;
      case 'request-data':
        return await consume((await request(url, { dispatcher, highWaterMark: BODY_HWM })).body, out);
      case 'fetch-fromweb': {
        const res = await undiciFetch(url, { dispatcher });
        if (!res.body) throw new Error('no body');
        return await consume(Readable.fromWeb(res.body as WebReadableStream, { highWaterMark: BODY_HWM }), out);
      }
      case 'request-pipeline': {
        const h = createHash('sha256');
        let bytes = 0;
        const tap = new Transform({
          highWaterMark: BODY_HWM,
          transform(chunk: Buffer, _enc, cb) {
            bytes += chunk.length;
            h.update(chunk);
            cb(null, chunk);
          },
        });
        const ws: Writable = createWriteStream(out, { highWaterMark: WRITE_HWM });
        await pipeline((await request(url, { dispatcher, highWaterMark: BODY_HWM })).body, tap, ws);
        return bytes;
      }
      default:
        throw new Error(`unknown system ${name}`);
    }
  } finally {
    await dispatcher.close();
  }
}

async function child(name: string): Promise<void> {
  await answerParent<RunResult>(async () => {
    const url = process.env[URL_ENV]!;
    const out = process.env[OUT_ENV]!;
    const load0 = os.loadavg()[0]!;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const bytes = await downloadOnce(name, url, out, process.env[SHA_ENV]!);
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    return { bytes, seconds, mbPerS: bytes / 1e6 / seconds, cpuS: (cpu.user + cpu.system) / 1e6, loadAverage: [load0, os.loadavg()[0]!] };
  });
}

/** curl in the parent: spawn → exit, with its CPU time from /usr/bin/time when that exists. */
async function runCurl(url: string, out: string): Promise<ChildMessage<RunResult>> {
  const load0 = os.loadavg()[0]!;
  const timeBin = existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
  const args = ['-s', '-S', '-o', out, '-w', '%{size_download}', url];
  const t0 = process.hrtime.bigint();
  const c = timeBin ? spawn(timeBin, ['-f', 'cpu %U %S', 'curl', ...args]) : spawn('curl', args);
  let stdout = '';
  let stderr = '';
  c.stdout.on('data', (d: Buffer) => (stdout += d));
  c.stderr.on('data', (d: Buffer) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => {
    c.once('error', () => resolve(-1));
    c.once('exit', resolve);
  });
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) return { ok: false, reason: `curl failed (${code}): ${stderr.trim() || 'not installed?'}` };
  const bytes = Number(stdout.trim());
  const cpu = /cpu ([\d.]+) ([\d.]+)/.exec(stderr);
  return { ok: true, result: { bytes, seconds, mbPerS: bytes / 1e6 / seconds, cpuS: cpu ? Number(cpu[1]) + Number(cpu[2]) : null, loadAverage: [load0, os.loadavg()[0]!] } };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const sizes = [SIZE_MIB, ...(TRANSPORT_MIB > 0 ? [TRANSPORT_MIB] : [])];
  const files = new Map<number, { file: string; sha256: string }>();
  for (const mib of new Set(sizes)) files.set(mib, await servedFile(mib));

  const srv: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child=server'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => srv.once('message', (m) => resolve((m as { port: number }).port)));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'roadie-bench-dl-'));
  const runs: Record<string, RunResult[]> = {};
  const unavailable: Record<string, string> = {};
  try {
    for (const part of ['main', 'transport'] as const) {
      const mib = part === 'main' ? SIZE_MIB : TRANSPORT_MIB;
      const systems = SYSTEMS.filter((s) => s.part === part && (ONLY.length === 0 || ONLY.includes(s.name)));
      if (mib <= 0 || systems.length === 0) continue;
      const url = `http://127.0.0.1:${port}/${mib}`;
      const out = path.join(dir, 'out.bin');
      process.stderr.write(`${part === 'main' ? 'Roadie vs curl' : 'transports'}: ${mib} MiB, ${REPEAT} rounds\n`);
      const r = await runInterleaved(
        systems.map((s) => s.name),
        REPEAT,
        async (name) => {
          rmSync(out, { force: true });
          execFileSync('sync');
          await sleep(200);
          if (name === 'curl') return runCurl(url, out);
          Object.assign(process.env, { [URL_ENV]: url, [OUT_ENV]: out, [SHA_ENV]: files.get(mib)!.sha256 });
          return forkChild<RunResult>(fileURLToPath(import.meta.url), name, ['--import', 'tsx']);
        },
        (x) => `${fmt(x.mbPerS, 0)} MB/s (${fmt(x.seconds)} s${x.cpuS === null ? '' : `, CPU ${fmt(x.cpuS)} s`}, load ${fmt(x.loadAverage[0])}→${fmt(x.loadAverage[1])})`,
      );
      for (const [k, v] of Object.entries(r.runs)) {
        if (v.some((x) => x.bytes !== mib * MiB)) unavailable[k] = `wrong size: ${v.map((x) => x.bytes).join(', ')}`;
        runs[k] = v;
      }
      Object.assign(unavailable, r.unavailable);
      rmSync(out, { force: true });
    }
  } finally {
    srv.kill();
    rmSync(dir, { recursive: true, force: true });
  }

  const med = (name: string): number => (runs[name] ? median(runs[name].map((x) => x.mbPerS)) : NaN);
  const rowsFor = (part: System['part'], base: string): (string | number)[][] =>
    SYSTEMS.filter((s) => s.part === part && runs[s.name]).map((s) => {
      const v = runs[s.name]!.map((x) => x.mbPerS);
      const cpu = runs[s.name]!.map((x) => x.cpuS).filter((c): c is number => c !== null);
      return [s.label, fmt(med(s.name), 0), `${fmt(Math.min(...v), 0)}–${fmt(Math.max(...v), 0)}`, cpu.length ? fmt(median(cpu)) : '—', fmt(med(s.name) / med(base))];
    });
  const head = ['system', 'MB/s (median)', 'min–max', 'CPU s (median)', '÷ reference'];
  const mainRows = rowsFor('main', 'curl');
  const transportRows = rowsFor('transport', 'request-data');
  const ratio = med('roadie') / med('curl');
  const verdict = Number.isFinite(ratio) ? (ratio >= GOAL_RATIO ? 'met' : 'not met') : 'not measured';
  const ratioLine = `Roadie ÷ curl: ${fmt(ratio)} (goal ≥ ${fmt(GOAL_RATIO)}: ${verdict}).`;
  const loads = Object.values(runs).flatMap((rs) => rs.flatMap((x) => x.loadAverage));
  const loadLine = loads.length ? `1-minute load average at the start and end of each run: ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))} on ${os.cpus().length} cores.` : '';
  const m = machine();
  const md = [
    '# Download throughput benchmark',
    '',
    `Generated by \`node --import tsx bench/download.ts\` on ${startedAt.toISOString()}.`,
    '',
    `Machine: ${machineLine(m)}.`,
    '',
    `${SIZE_MIB} MiB of random bytes over loopback from a node:http server in its own process (fs.createReadStream with 4 MiB reads piped to the response), written to a file in ${os.tmpdir()} (${execFileSync('df', ['-T', os.tmpdir()]).toString().split('\n')[1]?.split(/\s+/)[1] ?? '?'}); MB = 10^6 bytes; median of ${REPEAT} runs, systems interleaved; "÷ reference" divides by curl.`,
    '',
    table(head, mainRows),
    '',
    ratioLine,
    '',
    loadLine,
    ...(transportRows.length
      ? [
          '',
          `## Transports (${TRANSPORT_MIB} MiB, info)`,
          '',
          `The same server and file system; each consumer in a fresh child process, ${REPEAT} runs interleaved; "÷ reference" divides by the first row (what downloadFile uses). Body buffer ${BODY_HWM / MiB} MiB, write buffer ${WRITE_HWM / MiB} MiB for all.`,
          '',
          table(head, transportRows),
        ]
      : []),
    '',
    ...Object.entries(unavailable).map(([k, v]) => `- **${k}**: unavailable — ${v.split('\n')[0]}`),
    '',
    "Method: Roadie runs in a fresh Node child per run (tsx loaded before timing), timed with process.hrtime around downloadFile (sha256 checked against the served file's, .part renamed into place, sidecar removed); its CPU is the child's process.cpuUsage over that span. curl is timed from spawn to exit in the parent; its CPU from /usr/bin/time. Before each run the output file is deleted and sync run (not timed). The served file is generated once in $TMPDIR and kept.",
    '',
    'Figures are from this run only; download.json has every run.',
  ].join('\n');
  console.log(`\n${machineLine(m)}, ${startedAt.toISOString()}\n`);
  console.log(table(head, mainRows));
  console.log(`\n${ratioLine}\n${loadLine}`);
  if (transportRows.length) console.log(`\ntransports (${TRANSPORT_MIB} MiB):\n${table(head, transportRows)}`);
  for (const [k, v] of Object.entries(unavailable)) console.log(`${k}: unavailable — ${v.split('\n')[0]}`);
  if (!NO_WRITE) {
    writeResults('download', { date: startedAt.toISOString(), machine: m, settings: { sizeMiB: SIZE_MIB, transportSizeMiB: TRANSPORT_MIB, repeat: REPEAT }, ratio: { roadieOverCurl: ratio, goal: GOAL_RATIO }, runs, unavailable }, md);
    console.log('\nwrote bench/results/download.{json,md}');
  }
}

if (CHILD === 'server') serve();
else if (CHILD) await child(CHILD);
else await main();
