/**
 * SHA-256 of a file while it is being written, on a worker thread that reads it back behind
 * the writer. A download's own thread (the event loop that also answers GraphQL) then only
 * receives and writes; the hashing thread reads what was written from the page cache and hashes
 * it, on the other core. Reading it back costs a copy, but no memory is shared and nothing
 * waits: the writer tells the thread how far the file is written (every HASH_STEP_BYTES), and
 * only the digest waits for the thread to catch up. 1 GiB over loopback from nginx then came in
 * at 0.97× curl's time, against 0.84–0.88× with the hash computed in line (bench/download.ts,
 * three runs of 7 on 2026-11-30); the process spends ~0.6 CPU-s more on the read-back.
 *
 * One thread serves every download, in the order the messages come; it keeps the process
 * alive only while a hash is open.
 */
import { Worker } from 'node:worker_threads';

/** Bytes written between two "written up to" messages. */
export const HASH_STEP_BYTES = 4 << 20;

/** The thread's code (plain CommonJS, so it runs the same under tsx and compiled). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const files = new Map(); // id → { path, fd, hash, pos }
const buf = Buffer.allocUnsafe(1 << 20);
function catchUp(f, upTo) {
  if (f.fd === null) f.fd = fs.openSync(f.path, 'r');
  while (f.pos < upTo) {
    const n = fs.readSync(f.fd, buf, 0, Math.min(buf.length, upTo - f.pos), f.pos);
    if (n === 0) throw new Error(f.path + ' ends at ' + f.pos + ' bytes, before ' + upTo);
    f.hash.update(buf.subarray(0, n));
    f.pos += n;
  }
}
function forget(id) {
  const f = files.get(id);
  files.delete(id);
  if (f && f.fd !== null) fs.closeSync(f.fd);
}
parentPort.on('message', (m) => {
  try {
    if (m.op === 'open') files.set(m.id, { path: m.path, fd: null, hash: createHash('sha256'), pos: 0 });
    else if (m.op === 'upTo') { const f = files.get(m.id); if (f) catchUp(f, m.upTo); }
    else if (m.op === 'digest') {
      const f = files.get(m.id);
      catchUp(f, m.upTo);
      const hex = f.hash.digest('hex');
      forget(m.id);
      parentPort.postMessage({ id: m.id, op: 'digest', hex });
    } else if (m.op === 'drop') forget(m.id);
  } catch (err) {
    try { forget(m.id); } catch {}
    parentPort.postMessage({ id: m.id, op: 'error', message: err && err.message ? err.message : String(err), code: err && err.code });
  }
});
`;

type Reply = { id: number; op: 'digest'; hex: string } | { id: number; op: 'error'; message: string; code?: string };

let worker: Worker | null = null;
let nextId = 1;
const open = new Map<number, FileHash>();

function thread(): Worker {
  if (worker) return worker;
  const w = new Worker(WORKER_SOURCE, { eval: true });
  w.on('message', (m: Reply) => open.get(m.id)?.receive(m));
  const lost = (err: Error): void => {
    if (worker === w) worker = null;
    for (const h of open.values()) h.fail(err);
  };
  w.on('error', lost);
  w.on('exit', (code) => lost(new Error(`the hashing thread exited with ${code}`)));
  return (worker = w);
}

function forget(id: number): boolean {
  const had = open.delete(id);
  if (had && open.size === 0) worker?.unref();
  return had;
}

/** Hashes open on the thread (for tests: none should be left once downloads end). */
export function openFileHashes(): number {
  return open.size;
}

/** An error from the hashing thread (a file shorter than said, or gone), with its errno code. */
export class FileHashError extends Error {
  constructor(
    message: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** The SHA-256 of one file's first bytes, hashed on the thread as the file is written. */
export class FileHash {
  private readonly id = nextId++;
  private posted = 0;
  private error: Error | null = null;
  private digested: { resolve: (hex: string) => void; reject: (e: Error) => void } | null = null;

  /** Starts hashing `path` (opened by the thread when it first reads, so open it after the file exists). */
  constructor(path: string) {
    open.set(this.id, this);
    const w = thread();
    w.ref(); // an open hash keeps the process alive until its digest comes
    w.postMessage({ id: this.id, op: 'open', path });
  }

  /** The file holds its final bytes up to `bytes`: the thread may hash that far (told every HASH_STEP_BYTES, or now with `now`). */
  advance(bytes: number, now = false): void {
    if (this.error || bytes <= this.posted || (!now && bytes - this.posted < HASH_STEP_BYTES)) return;
    this.posted = bytes;
    thread().postMessage({ id: this.id, op: 'upTo', upTo: bytes });
  }

  /** The hex SHA-256 of the file's first `bytes`, once the thread has read them; the hash is done with afterwards. */
  digest(bytes: number): Promise<string> {
    if (this.error) return Promise.reject(this.error);
    const p = new Promise<string>((resolve, reject) => (this.digested = { resolve, reject }));
    thread().postMessage({ id: this.id, op: 'digest', upTo: bytes });
    return p;
  }

  /** Forgets the hash (a failed or abandoned download); a digest still waiting fails. */
  close(): void {
    if (!forget(this.id)) return;
    worker?.postMessage({ id: this.id, op: 'drop' });
    this.fail(new Error('the hash was closed'));
  }

  /** @internal a reply from the thread */
  receive(m: Reply): void {
    if (m.op === 'digest') {
      forget(this.id);
      this.digested?.resolve(m.hex);
      this.digested = null;
    } else {
      this.fail(new FileHashError(m.message, m.code));
    }
  }

  /** @internal the thread failed this hash, or died */
  fail(err: Error): void {
    this.error ??= err;
    forget(this.id);
    this.digested?.reject(err);
    this.digested = null;
  }
}
