/**
 * Download throughput over loopback: Roadie's downloadFile (server/downloads/http-download.ts)
 * against `curl -s -o <file>`, both fetching the same pre-generated file from the same local
 * server, nginx (sendfile) when installed and Node's http module. Goal from the tracker:
 * Roadie ≥ 0.9 × curl.
 *
 *   node --import tsx bench/download.ts
 *   options: --size-mib=1024 --repeat=5 --only=roadie,curl --servers=nginx,node
 *            --transport-size-mib=256  (the transport comparison behind downloadFile's choice;
 *                                       --transport-size-mib=0 skips it)
 *            --no-write (print only)
 *
 * Each Roadie run is a fresh child process (this file with --child=<name>), loaded before the
 * run and timed from the call to its return (sha256 verified, file renamed into place); curl is
 * timed from spawn to exit. Systems run one after another, interleaved, `repeat` times; between
 * runs the output file is deleted, `sync` run and the freed pages left to settle (see settle())
 * so every run starts from the same memory state. The served file is random bytes in $TMPDIR,
 * generated once and kept for later runs.
 */
import { execFileSync, fork, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomFillSync } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { fileURLToPath } from 'node:url';
import { Agent, fetch as undiciFetch, request } from 'undici';
import { downloadFile } from '../server/downloads/http-download.js';
import { answerParent, flag, fmt, machine, machineLine, median, option, runInterleaved, sleep, table, writeResults, type ChildMessage } from './lib/jobs-common.js';

const MiB = 2 ** 20;
const SIZE_MIB = Number(option('size-mib', '1024'));
const TRANSPORT_MIB = Number(option('transport-size-mib', '256'));
const REPEAT = Number(option('repeat', '5'));
const CHILD = option('child', '');
const NO_WRITE = flag('no-write');
const ONLY = option('only', '')
  .split(',')
  .map((s) => s.trim())
  .filter(Boolean);
const GOAL_RATIO = 0.9;
type ServerKind = 'nginx' | 'node';
/** Servers to download from, in order: nginx (when installed), then Node's http module. */
const SERVERS = option('servers', 'nginx,node')
  .split(',')
  .map((x) => x.trim())
  .filter((x): x is ServerKind => x === 'nginx' || x === 'node');
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
  { name: 'roadie', label: 'Roadie downloadFile, SHA-256 checked (.part → rename)', part: 'main' },
  { name: 'curl', label: 'curl -s -o <file>', part: 'main' },
  { name: 'roadie-nohash', label: 'Roadie downloadFile, hash: false (info: the cost of SHA-256)', part: 'main' },
  { name: 'request-data', label: "undici.request body, 'data' events → fs.createWriteStream, sha256 (downloadFile's transport)", part: 'transport' },
  { name: 'fetch-fromweb', label: "undici.fetch + Readable.fromWeb, 'data' events → fs.createWriteStream, sha256", part: 'transport' },
  { name: 'request-pipeline', label: 'undici.request body → stream.pipeline(sha256 Transform, fs.createWriteStream)', part: 'transport' },
];

const BODY_HWM = MiB;
const WRITE_HWM = 8 * MiB;

/** Where the file of `mib` MiB is kept (both servers serve it from there). */
const servedPath = (mib: number): string => path.join(os.tmpdir(), `roadie-bench-download-${mib}mib.bin`);

/** The file a size is served from: random bytes, generated once, with its SHA-256 alongside. */
async function servedFile(mib: number): Promise<{ file: string; sha256: string }> {
  const file = servedPath(mib);
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
    const file = servedPath(Number(req.url?.slice(1)));
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

/** In the child: load everything, say so, and download once the parent says go (after it settled the machine). */
function child(name: string): void {
  process.send!({ ready: true });
  process.once('message', () => {
    void answerParent<RunResult>(async () => {
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
  });
}

/** A Roadie (or transport) child, forked and loaded before the run's clean-up so its start-up is neither timed nor in the way. */
function readyChild(name: string): Promise<() => Promise<ChildMessage<RunResult>>> {
  return new Promise((resolve) => {
    const c = fork(fileURLToPath(import.meta.url), [`--child=${name}`, ...process.argv.slice(2).filter((a) => !a.startsWith('--child='))], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    let got: ChildMessage<RunResult> | null = null;
    const exited = new Promise<ChildMessage<RunResult>>((done) => c.once('exit', (code) => done(got ?? { ok: false, reason: `child exited with ${code} without a result` })));
    c.once('message', () => {
      c.on('message', (m: ChildMessage<RunResult>) => (got = m));
      resolve(() => {
        c.send('go');
        return exited;
      });
    });
    c.once('exit', () => resolve(() => exited));
  });
}

const REPORTED_KIB = '/sys/module/page_reporting/parameters/reported_kib';

/**
 * Waits until the freed page cache of the deleted output file is settled. On a VM with free
 * page reporting (virtio-balloon) the guest hands freed pages back to the host over several
 * seconds (here ~250 MiB/s, starting ~0.5 s after the free), and a run that starts meanwhile
 * writes partly into pages the guest still holds, partly into pages the host must fault back
 * in, depending on how long its own start took. So every run, curl's and Roadie's, starts once
 * the counter has stood still for 1.5 s (at most 20 s); elsewhere after a fixed second.
 */
async function settle(): Promise<number> {
  const t0 = Date.now();
  if (!existsSync(REPORTED_KIB)) {
    await sleep(1000);
    return 1;
  }
  const read = (): string => readFileSync(REPORTED_KIB, 'utf8');
  let last = read();
  let stillSince = Date.now();
  while (Date.now() - t0 < 20_000 && Date.now() - stillSince < 1500) {
    await sleep(250);
    const v = read();
    if (v !== last) {
      last = v;
      stillSince = Date.now();
    }
  }
  return (Date.now() - t0) / 1000;
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

interface Server {
  kind: ServerKind;
  /** URL of the file of `mib` MiB. */
  url: (mib: number) => string;
  stop: () => void;
}

/** A free port on 127.0.0.1 (nginx needs one named in its config). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** nginx serving $TMPDIR with sendfile; null when nginx is not installed (apt-get install nginx-light). */
async function startNginx(): Promise<Server | null> {
  const bin = ['/usr/sbin/nginx', '/usr/bin/nginx'].find((f) => existsSync(f));
  if (!bin) return null;
  const dir = mkdtempSync(path.join(os.tmpdir(), 'roadie-bench-nginx-'));
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((t) => `${t}_temp_path ${dir}/${t};`).join(' ');
  const conf = `daemon off; worker_processes 1; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 64; }
http { access_log off; sendfile on; tcp_nopush on; ${temp}
  server { listen 127.0.0.1:${port}; root ${os.tmpdir()}; location / { } } }
`;
  writeFileSync(path.join(dir, 'nginx.conf'), conf);
  const c = spawn(bin, ['-c', path.join(dir, 'nginx.conf'), '-p', dir], { stdio: 'inherit' });
  for (let i = 0; i < 50; i++) {
    const up = await fetchStatus(`http://127.0.0.1:${port}/`);
    if (up !== null) break;
    await sleep(100);
  }
  return {
    kind: 'nginx',
    url: (mib) => `http://127.0.0.1:${port}/${path.basename(servedPath(mib))}`,
    stop: () => {
      c.kill();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function fetchStatus(url: string): Promise<number | null> {
  try {
    const r = await request(url);
    await r.body.dump();
    return r.statusCode;
  } catch {
    return null;
  }
}

async function startNodeServer(): Promise<Server> {
  const srv: ChildProcess = fork(fileURLToPath(import.meta.url), ['--child=server'], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((resolve) => srv.once('message', (m) => resolve((m as { port: number }).port)));
  return { kind: 'node', url: (mib) => `http://127.0.0.1:${port}/${mib}`, stop: () => srv.kill() };
}

const SERVER_TEXT: Record<ServerKind, string> = {
  nginx: 'nginx 1 worker, sendfile on (the file served from the page cache without a copy through user space)',
  node: 'a node:http server in its own process (fs.createReadStream with 4 MiB reads piped to the response)',
};

async function main(): Promise<void> {
  const startedAt = new Date();
  const sizes = [SIZE_MIB, ...(TRANSPORT_MIB > 0 ? [TRANSPORT_MIB] : [])];
  const files = new Map<number, { file: string; sha256: string }>();
  for (const mib of new Set(sizes)) files.set(mib, await servedFile(mib));

  const dir = mkdtempSync(path.join(os.tmpdir(), 'roadie-bench-dl-'));
  const runs: Record<string, RunResult[]> = {};
  const settleSeconds: number[] = [];
  const unavailable: Record<string, string> = {};
  const servers: ServerKind[] = [];
  for (const kind of SERVERS) {
    const server = kind === 'nginx' ? await startNginx() : await startNodeServer();
    if (!server) {
      unavailable[`${kind} server`] = 'nginx is not installed (apt-get install nginx-light)';
      continue;
    }
    servers.push(kind);
    try {
      for (const part of ['main', 'transport'] as const) {
        const mib = part === 'main' ? SIZE_MIB : TRANSPORT_MIB;
        const systems = SYSTEMS.filter((s) => s.part === part && (ONLY.length === 0 || ONLY.includes(s.name)));
        // the transport comparison once, with the first server
        if (mib <= 0 || systems.length === 0 || (part === 'transport' && servers.length > 1)) continue;
        const url = server.url(mib);
        const out = path.join(dir, 'out.bin');
        process.stderr.write(`${part === 'main' ? 'Roadie vs curl' : 'transports'} from ${kind}: ${mib} MiB, ${REPEAT} rounds\n`);
        const r = await runInterleaved(
          systems.map((s) => s.name),
          REPEAT,
          async (name) => {
            Object.assign(process.env, { [URL_ENV]: url, [OUT_ENV]: out, [SHA_ENV]: files.get(mib)!.sha256 });
            const go = name === 'curl' ? () => runCurl(url, out) : await readyChild(name);
            rmSync(out, { force: true });
            execFileSync('sync');
            settleSeconds.push(await settle());
            return go();
          },
          (x) => `${fmt(x.mbPerS, 0)} MB/s (${fmt(x.seconds)} s${x.cpuS === null ? '' : `, CPU ${fmt(x.cpuS)} s`}, load ${fmt(x.loadAverage[0])}→${fmt(x.loadAverage[1])})`,
        );
        for (const [k, v] of Object.entries(r.runs)) {
          if (v.some((x) => x.bytes !== mib * MiB)) unavailable[`${kind}:${k}`] = `wrong size: ${v.map((x) => x.bytes).join(', ')}`;
          runs[`${kind}:${k}`] = v;
        }
        for (const [k, v] of Object.entries(r.unavailable)) unavailable[`${kind}:${k}`] = v;
        rmSync(out, { force: true });
      }
    } finally {
      server.stop();
    }
  }
  rmSync(dir, { recursive: true, force: true });

  const med = (key: string): number => (runs[key] ? median(runs[key].map((x) => x.mbPerS)) : NaN);
  const rowsFor = (kind: ServerKind, part: System['part'], base: string): (string | number)[][] =>
    SYSTEMS.filter((s) => s.part === part && runs[`${kind}:${s.name}`]).map((s) => {
      const rs = runs[`${kind}:${s.name}`]!;
      const v = rs.map((x) => x.mbPerS);
      const cpu = rs.map((x) => x.cpuS).filter((c): c is number => c !== null);
      return [s.label, fmt(med(`${kind}:${s.name}`), 0), `${fmt(Math.min(...v), 0)}–${fmt(Math.max(...v), 0)}`, cpu.length ? fmt(median(cpu)) : '—', fmt(med(`${kind}:${s.name}`) / med(`${kind}:${base}`))];
    });
  const head = ['system', 'MB/s (median)', 'min–max', 'CPU s (median)', '÷ reference'];
  const ratios = Object.fromEntries(servers.map((k) => [k, med(`${k}:roadie`) / med(`${k}:curl`)]));
  const verdict = (r: number): string => (Number.isFinite(r) ? (r >= GOAL_RATIO ? 'met' : 'not met') : 'not measured');
  const ratioLine = (k: ServerKind): string => `Roadie ÷ curl from ${k}: ${fmt(ratios[k]!)} (goal ≥ ${fmt(GOAL_RATIO)}: ${verdict(ratios[k]!)}).`;
  const loads = Object.values(runs).flatMap((rs) => rs.flatMap((x) => x.loadAverage));
  const loadLine = loads.length ? `1-minute load average at the start and end of each run: ${fmt(Math.min(...loads))}–${fmt(Math.max(...loads))} on ${os.cpus().length} cores.` : '';
  const settleLine = settleSeconds.length ? `Wait before each run for freed pages to settle: ${fmt(Math.min(...settleSeconds), 1)}–${fmt(Math.max(...settleSeconds), 1)} s (${existsSync(REPORTED_KIB) ? 'free page reporting is on' : 'no free page reporting: a fixed second'}).` : '';
  const fsType = execFileSync('df', ['-T', os.tmpdir()]).toString().split('\n')[1]?.split(/\s+/)[1] ?? '?';
  const transportServer = servers[0];
  const transportRows = transportServer ? rowsFor(transportServer, 'transport', 'request-data') : [];
  const m = machine();
  const serverSections = servers.flatMap((k, i) => [
    `## ${i === 0 ? '' : 'Also '}from ${k}`,
    '',
    `Served by ${SERVER_TEXT[k]}.`,
    '',
    table(head, rowsFor(k, 'main', 'curl')),
    '',
    ratioLine(k),
    '',
  ]);
  const md = [
    '# Download throughput benchmark',
    '',
    `Generated by \`node --import tsx bench/download.ts\` on ${startedAt.toISOString()}.`,
    '',
    `Machine: ${machineLine(m)}.`,
    '',
    `${SIZE_MIB} MiB of random bytes over loopback, written to a file in ${os.tmpdir()} (${fsType}); MB = 10^6 bytes; median of ${REPEAT} runs, systems interleaved; "÷ reference" divides by curl from the same server in the same run.`,
    '',
    ...serverSections,
    loadLine,
    settleLine,
    ...(transportRows.length
      ? [
          '',
          `## Transports (${TRANSPORT_MIB} MiB from ${transportServer}, info)`,
          '',
          `The same file system; each consumer in a fresh child process, ${REPEAT} runs interleaved; "÷ reference" divides by the first row. These consumers use undici's default connection (a fresh 64 KiB buffer per socket read), write through fs.createWriteStream and hash in line; downloadFile does none of that any more (see Method). Body buffer ${BODY_HWM / MiB} MiB, write buffer ${WRITE_HWM / MiB} MiB for all.`,
          '',
          table(head, transportRows),
        ]
      : []),
    '',
    ...Object.entries(unavailable).map(([k, v]) => `- **${k}**: unavailable — ${v.split('\n')[0]}`),
    '',
    "Method: Roadie runs in a fresh Node child per run, forked and loaded (tsx, undici, downloadFile) before the run's clean-up and timed with process.hrtime around downloadFile (.part written, SHA-256 checked against the served file's where the row says so, renamed into place, sidecar removed); its CPU is the child's process.cpuUsage over that span. downloadFile reads each socket into one of a few reused 512 KiB buffers and writes each chunk with a synchronous write on the thread that received it, then hashes it, before the buffer takes the next read. curl is timed from spawn to exit in the parent; its CPU from /usr/bin/time. Before each run the output file is deleted, sync run, and the freed pages given time to settle (see above; not timed). The served file is generated once in $TMPDIR and kept; both servers read it from the page cache.",
    '',
    'Figures are from this run only; download.json has every run.',
  ].join('\n');
  console.log(`\n${machineLine(m)}, ${startedAt.toISOString()}\n`);
  for (const k of servers) console.log(`from ${k}:\n${table(head, rowsFor(k, 'main', 'curl'))}\n${ratioLine(k)}\n`);
  console.log(`${loadLine}\n${settleLine}`);
  if (transportRows.length) console.log(`\ntransports (${TRANSPORT_MIB} MiB):\n${table(head, transportRows)}`);
  for (const [k, v] of Object.entries(unavailable)) console.log(`${k}: unavailable — ${v.split('\n')[0]}`);
  if (!NO_WRITE) {
    writeResults('download', { date: startedAt.toISOString(), machine: m, settings: { sizeMiB: SIZE_MIB, transportSizeMiB: TRANSPORT_MIB, repeat: REPEAT, servers, settleSeconds }, ratio: { roadieOverCurl: ratios, goal: GOAL_RATIO }, runs, unavailable }, md);
    console.log('\nwrote bench/results/download.{json,md}');
  }
}

if (CHILD === 'server') serve();
else if (CHILD) child(CHILD);
else await main();
