/**
 * One HTTP(S) download: streamed to a `.part` file, resumed with Range after an interruption,
 * verified (size, SHA-256), then renamed into place. Nothing reaches `dest` unverified.
 *
 * Transport: undici's `request` with its body consumed through 'data' events (undici.fetch +
 * Readable.fromWeb reached 0.46–0.87× of it: the web-stream layer). The default dispatcher
 * reads plain-HTTP sockets into a few reused buffers (recycled-reads.ts); each chunk is written
 * at once on the thread that received it and its buffer given back (see pump); the SHA-256 is
 * computed by a worker thread that reads the .part back behind the writer (file-hash.ts).
 * 1 GiB over loopback from nginx on this 2-core VM then comes in at 0.97× curl's speed with
 * the hash (bench/download.ts). A worker hashing the chunks in shared memory was no faster
 * than hashing in line (its messages, and undici's copies out of shared memory, which V8 does
 * with relaxed atomics). */
import { createHash } from 'node:crypto';
import { write, writeSync } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { Agent, interceptors, request, type Dispatcher } from 'undici';
import { codeForHttpStatus, DownloadError, isDiskFullErrno } from '../domain/downloads/errors.js';
import { FileHash } from './file-hash.js';
import type { RateLimiter } from './rate-limiter.js';
import { recycledReadsConnector, releaseChunk } from './recycled-reads.js';

/**
 * Bytes undici may hold for us while we cannot take them (file busy, rate limit): the most a
 * cut connection can lose beyond what is already in the .part file, i.e. re-downloaded on resume.
 */
export const BODY_BUFFER_BYTES = 1 << 20;
export const DEFAULT_MIN_FREE_MARGIN_BYTES = 16 << 20;
/** A synchronous write that blocks the event loop longer than this moves the download's writes to the threadpool. */
export const DEFAULT_SYNC_WRITE_LIMIT_MS = 20;
/** Bytes waiting for threadpool writes before the socket is paused. */
const FILE_QUEUE_BYTES = 4 << 20;

/** What is stored next to the .part file so a resume can ask "only if it is still the same file". */
interface PartMeta {
  url: string;
  etag?: string;
  lastModified?: string;
  total?: number;
}

export interface FreeSpace {
  /** Blocks available to an unprivileged user, and the block size, as fs.statfs reports them. */
  bavail: number;
  bsize: number;
}

export interface DownloadOptions {
  url: string | URL;
  /** Final path; the file appears here only once verified. */
  dest: string;
  /**
   * Folder for the `.part` file and its `.part.json` sidecar (e.g. a temp folder outside the
   * library); default: next to `dest`. See partPathFor.
   */
  partDir?: string;
  /** Size the caller expects; a different size fails with size_mismatch. */
  expectedSize?: number | null;
  /** Expected SHA-256 (hex); a different digest fails with checksum_mismatch. */
  sha256?: string | null;
  /**
   * Compute the SHA-256 of the file (default true; always when `sha256` is given), on the
   * hashing thread (file-hash.ts), which reads the .part back as it is written.
   */
  hash?: boolean;
  /** Pause, cancel or shutdown: the .part file keeps its bytes for a resume. */
  signal?: AbortSignal;
  /** After each chunk (the caller throttles): bytes in the .part file so far, including a resumed prefix. */
  onProgress?: (bytesDone: number, totalBytes: number | null) => void;
  /** The global speed limit shared with the other downloads. */
  rateLimiter?: RateLimiter;
  /** Free space to leave on the disk beyond the remaining bytes; default 16 MiB. */
  minFreeMarginBytes?: number;
  /** Extra request headers (e.g. authorization). */
  headers?: Record<string, string>;
  /** Default: a shared keep-alive Agent that follows up to 5 redirects. */
  dispatcher?: Dispatcher;
  /** Free space of a folder; default fs.statfs (an option for tests and odd filesystems). */
  statfs?: (dir: string) => Promise<FreeSpace>;
  /**
   * Milliseconds a synchronous write may block the event loop before the rest of the download
   * is written through libuv's threadpool (default 20; -1: from the second chunk on, for tests).
   */
  syncWriteLimitMs?: number;
}

export interface DownloadResult {
  /** Size of the finished file. */
  bytes: number;
  /** SHA-256 of the finished file, hex; null when `hash: false`. */
  sha256: string | null;
  /** Bytes of an earlier .part file kept and appended to (0 for a fresh download). */
  resumedFrom: number;
  /** An earlier .part file existed but had to be discarded (server without Range, changed file, …). */
  restarted: boolean;
  /** Status of the response the file was finished with: 200, 206, or 416 for an already complete .part. */
  httpStatus: number;
  /** A write was slow (see syncWriteLimitMs), so the rest went through libuv's threadpool. */
  threadpoolWrites: boolean;
}

let sharedDispatcher: Dispatcher | null = null;
function defaultDispatcher(): Dispatcher {
  return (sharedDispatcher ??= new Agent({ connect: recycledReadsConnector() }).compose(interceptors.redirect({ maxRedirections: 5 })));
}

/**
 * Where the download of `dest` keeps its bytes: `<dest>.part`, or in `partDir` a name that
 * also carries a short hash of the absolute `dest`, so two songs with the same file name in
 * different albums cannot share a .part file.
 */
export function partPathFor(dest: string, partDir?: string): string {
  if (!partDir) return `${dest}.part`;
  const tag = createHash('sha1').update(path.resolve(dest)).digest('hex').slice(0, 10);
  return path.join(partDir, `${path.basename(dest)}.${tag}.part`);
}

const header = (h: Record<string, string | string[] | undefined>, name: string): string | undefined => {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
};

/** `bytes start-end/total` → its numbers (total null for `*`); null when malformed. */
export function parseContentRange(value: string | undefined): { start: number; end: number; total: number | null } | null {
  const m = /^bytes\s+(?:(\d+)-(\d+)|\*)\/(\d+|\*)$/i.exec(value?.trim() ?? '');
  if (!m) return null;
  const total = m[3] === '*' ? null : Number(m[3]);
  return m[1] === undefined ? { start: -1, end: -1, total } : { start: Number(m[1]), end: Number(m[2]), total };
}

const errnoOf = (err: unknown): string | undefined => (err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : undefined);

async function sizeOf(file: string): Promise<number> {
  try {
    return (await fs.stat(file)).size;
  } catch (err) {
    if (errnoOf(err) === 'ENOENT') return 0;
    throw err;
  }
}

async function readMeta(file: string): Promise<PartMeta | null> {
  try {
    const v = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<PartMeta>;
    return typeof v.url === 'string' ? (v as PartMeta) : null;
  } catch {
    return null; // missing or torn: resume without If-Range
  }
}

/** Local I/O failures as download errors where they have a code (a full disk), else unchanged. */
function localError(err: unknown, what: string): unknown {
  return isDiskFullErrno(errnoOf(err)) ? new DownloadError('disk_full', `disk full while ${what}`, null, { cause: err }) : err;
}

/** The error for a transfer that stopped: the caller's abort, or the network. */
function transferError(err: unknown, signal: AbortSignal | undefined): DownloadError {
  if (err instanceof DownloadError) return err;
  if (signal?.aborted) return new DownloadError('aborted', 'download aborted', null, { cause: err });
  const msg = err instanceof Error ? err.message : String(err);
  return new DownloadError('network_error', `network error: ${msg}`, null, { cause: err });
}

/** Fails with disk_full when the folder's filesystem lacks `bytes` plus the margin. */
async function ensureFreeSpace(dir: string, bytes: number, o: DownloadOptions): Promise<void> {
  const need = bytes + (o.minFreeMarginBytes ?? DEFAULT_MIN_FREE_MARGIN_BYTES);
  const s = await (o.statfs ?? fs.statfs)(dir);
  const free = s.bavail * s.bsize;
  if (free < need) throw new DownloadError('disk_full', `not enough free space in ${dir}: ${free} bytes free, ${need} needed`);
}

async function removePart(part: string): Promise<void> {
  await Promise.all([fs.rm(part, { force: true }), fs.rm(`${part}.json`, { force: true })]);
}


/** Renames into place (copy + rename through a temp name across filesystems), creating the folder. */
async function moveInto(part: string, dest: string): Promise<void> {
  await fs.mkdir(path.dirname(dest), { recursive: true });
  try {
    await fs.rename(part, dest);
  } catch (err) {
    if (errnoOf(err) !== 'EXDEV') throw err;
    const tmp = `${dest}.roadie-copy`;
    try {
      await fs.copyFile(part, tmp);
      await fs.rename(tmp, dest);
    } catch (copyErr) {
      await fs.rm(tmp, { force: true });
      throw localError(copyErr, 'moving the file into place');
    }
    await fs.rm(part, { force: true });
  }
}

/** Writes all of `chunk` at the file's current position (a regular file takes it in one call unless the disk fills). */
function writeAll(fd: number, chunk: Buffer): void {
  for (let off = 0; off < chunk.length; ) off += writeSync(fd, chunk, off, chunk.length - off);
}

/** The same on libuv's threadpool. */
function writeAllAsync(fd: number, chunk: Buffer, done: (err: Error | null) => void, off = 0): void {
  write(fd, chunk, off, chunk.length - off, null, (err, n) => {
    if (err) return done(err);
    if (off + n < chunk.length) return writeAllAsync(fd, chunk, done, off + n);
    done(null);
  });
}

/**
 * Streams `body` into the open .part file, through the rate limiter, the hash and onProgress;
 * resolves once every byte is written. On failure it rejects with the reason; the bytes
 * received so far are written first (unless writing is what failed), so a resume keeps them.
 *
 * Each chunk is written synchronously, on the thread that just received it, and its buffer
 * given back: the kernel copies it into the page cache while it is still in this core's cache,
 * as curl does (the hash reads it back later, file-hash.ts). Handing it to libuv's threadpool
 * (fs.write / a WriteStream) made the copy run on the other core from memory gone cold: perf
 * counted 5× curl's samples in copy_folio_from_iter_atomic for the same bytes. A write of
 * 512 KiB (one socket read at most) blocks the event loop 0.17 ms at the median here, 1.3–1.5
 * ms at p99 (2,048 writes into a fresh file, three runs). One that takes longer than
 * `syncWriteLimitMs` (a slow disk, the kernel throttling dirty pages) moves the rest of this
 * download's writes to the threadpool, one at a time, in order.
 */
function pump(body: Readable, fd: number, hash: FileHash | null, start: number, total: number | null, o: DownloadOptions): Promise<{ done: number; threadpoolWrites: boolean }> {
  return new Promise((resolve, reject) => {
    const syncLimitMs = o.syncWriteLimitMs ?? DEFAULT_SYNC_WRITE_LIMIT_MS;
    let done = start;
    let holds = 0; // reasons to keep the socket paused: chunks waiting for the limiter, a full file queue
    const hold = (): void => {
      if (holds++ === 0) body.pause();
    };
    const unhold = (): void => {
      if (--holds === 0 && !failed) body.resume();
    };
    let waits = 0; // chunks waiting for the limiter (or behind one that does)
    let limiterQueue: Promise<unknown> = Promise.resolve(); // the last waiting chunk: the next one goes after it
    let threadpool = false; // a synchronous write was too slow: the rest go through libuv's threadpool
    const fileQueue: Buffer[] = [];
    let fileQueueBytes = 0;
    let fileHeld = false;
    let writing = false; // a threadpool write in flight
    let ended = false;
    let failed: { err: unknown } | null = null;

    const settle = (): void => {
      if (writing) return; // never give the file back with a write still in flight (the queue is empty then too)
      if (failed) return reject(failed.err);
      if (ended && waits === 0 && fileQueue.length === 0) resolve({ done, threadpoolWrites: threadpool });
    };
    /** Stops reading; what was received is still written unless writing is what failed (that error wins). */
    const fail = (err: unknown, writeFailed = false): void => {
      if (failed && !writeFailed) return;
      failed = { err };
      body.destroy();
      if (writeFailed) fileQueue.length = 0;
      if (!writing) drain();
    };
    const written = (chunk: Buffer): void => {
      releaseChunk(chunk); // written: its buffer may take the next socket read
      done += chunk.length;
      hash?.advance(done);
      o.onProgress?.(done, total);
    };
    /** Writes the file queue on the threadpool, one chunk after the other. */
    const drain = (): void => {
      const chunk = fileQueue.shift();
      if (!chunk) return settle();
      writing = true;
      writeAllAsync(fd, chunk, (err) => {
        writing = false;
        fileQueueBytes -= chunk.length;
        if (err) return fail(localError(err, 'writing'), true);
        written(chunk);
        if (fileHeld && fileQueueBytes <= FILE_QUEUE_BYTES / 2) {
          fileHeld = false;
          unhold();
        }
        drain();
      });
    };
    const accept = (chunk: Buffer): void => {
      if (threadpool) {
        fileQueue.push(chunk);
        fileQueueBytes += chunk.length;
        if (!fileHeld && fileQueueBytes > FILE_QUEUE_BYTES) {
          fileHeld = true;
          hold();
        }
        if (!writing) drain();
        return;
      }
      const t0 = performance.now();
      try {
        writeAll(fd, chunk);
      } catch (err) {
        return fail(localError(err, 'writing'), true);
      }
      if (performance.now() - t0 > syncLimitMs) threadpool = true;
      written(chunk);
    };
    body.on('data', (chunk: Buffer) => {
      if (failed) return;
      const wait = o.rateLimiter?.take(chunk.length, o.signal);
      if (!wait && waits === 0) return accept(chunk);
      // a chunk that waits (for the limiter, or behind one that does) keeps the socket paused
      if (waits++ === 0) hold();
      limiterQueue = Promise.all([limiterQueue, wait]).then(
        () => {
          if (failed) return;
          accept(chunk);
          if (--waits === 0) unhold();
          settle();
        },
        (err: unknown) => fail(err),
      );
    });
    body.once('error', (err) => fail(err));
    // undici destroys the body when the connection drops, maybe while we were still preparing the file
    if (body.destroyed) fail(body.errored ?? new Error('connection closed before the body was read'));
    body.once('end', () => {
      ended = true;
      settle();
    });
  });
}

/**
 * Downloads `url` to `dest` through `<dest>.part` (see partPathFor), resuming a .part left by
 * an earlier attempt. Throws a DownloadError with the reason (its code says whether to retry).
 */
export async function downloadFile(o: DownloadOptions): Promise<DownloadResult> {
  const url = String(o.url);
  const part = partPathFor(o.dest, o.partDir);
  const metaFile = `${part}.json`;
  const dir = path.dirname(part);
  if (o.signal?.aborted) throw new DownloadError('aborted', 'download aborted before it started');
  await fs.mkdir(dir, { recursive: true });

  let offset = await sizeOf(part);
  let meta = offset > 0 ? await readMeta(metaFile) : null;
  let restarted = false;
  // hashed on a thread that reads the .part back as it is written (file-hash.ts)
  let hash: FileHash | null = null;
  const discard = async (): Promise<void> => {
    if (offset > 0) restarted = true;
    offset = 0;
    meta = null;
    hash?.close();
    hash = null;
    await removePart(part);
  };
  // a .part of another URL, or longer than the file can be, is of no use
  if (offset > 0 && ((meta && meta.url !== url) || (o.expectedSize != null && offset > o.expectedSize))) await discard();
  if (o.expectedSize != null) await ensureFreeSpace(dir, o.expectedSize - offset, o);
  const hashing = o.hash !== false || !!o.sha256;
  if (offset > 0 && hashing) {
    // the kept prefix is hashed while the request goes out
    hash = new FileHash(part);
    hash.advance(offset, true);
  }

  try {
    return await transfer();
  } finally {
    hash?.close(); // a failed or abandoned download's (a no-op once digested)
  }

  async function transfer(): Promise<DownloadResult> {
    for (let attempt = 1; ; attempt++) {
      if (attempt > 3) throw new DownloadError('http_error', `no usable answer from ${url} after 3 requests (byte ranges out of step)`);
      const headers: Record<string, string> = { ...o.headers };
      if (offset > 0) {
        headers.range = `bytes=${offset}-`;
        // If-Range takes a strong ETag or a date: a changed file then comes back whole (200)
        const validator = meta?.etag && !meta.etag.startsWith('W/') ? meta.etag : meta?.lastModified;
        if (validator) headers['if-range'] = validator;
      }
      let res: Dispatcher.ResponseData;
      try {
        res = await request(url, { method: 'GET', headers, highWaterMark: BODY_BUFFER_BYTES, dispatcher: o.dispatcher ?? defaultDispatcher(), ...(o.signal ? { signal: o.signal } : {}) });
      } catch (err) {
        throw transferError(err, o.signal);
      }
      const status = res.statusCode;
      const h = res.headers;

      if (status === 416 && offset > 0) {
        // the range starts at or past the end: complete if the server's size is ours, else start over
        await res.body.dump();
        const total = parseContentRange(header(h, 'content-range'))?.total ?? null;
        if (total === offset && (o.expectedSize == null || o.expectedSize === offset)) {
          return finish(part, o, offset, hash, offset, restarted, status, false);
        }
        await discard();
        continue;
      }
      const code = codeForHttpStatus(status);
      if (code || (status !== 200 && status !== 206)) {
        await res.body.dump();
        if (code === 'file_not_found') await removePart(part);
        throw new DownloadError(code ?? 'http_error', `HTTP ${status} for ${url}`, status);
      }

      let total: number | null;
      const length = header(h, 'content-length');
      const bodyLength = length === undefined ? null : Number(length);
      if (status === 206) {
        const range = parseContentRange(header(h, 'content-range'));
        if (!range || range.start !== offset) {
          // an answer to a range we did not ask for: start over with a plain request
          await res.body.dump();
          await discard();
          continue;
        }
        total = range.total ?? (bodyLength === null ? null : offset + bodyLength);
      } else {
        if (offset > 0) await discard(); // 200 to a Range request: no Range support, or the file changed
        total = bodyLength;
      }

      try {
        if (total !== null && o.expectedSize != null && total !== o.expectedSize) {
          await removePart(part);
          throw new DownloadError('size_mismatch', `server announces ${total} bytes, expected ${o.expectedSize}`);
        }
        if (total !== null) await ensureFreeSpace(dir, total - offset, o);
        if (offset === 0) {
          const etag = header(h, 'etag');
          const lastModified = header(h, 'last-modified');
          meta = { url, ...(etag ? { etag } : {}), ...(lastModified ? { lastModified } : {}), ...(total !== null ? { total } : {}) };
          await fs.writeFile(metaFile, JSON.stringify(meta)).catch((err: unknown) => {
            throw localError(err, 'writing the .part.json sidecar');
          });
        }
      } catch (err) {
        res.body.destroy();
        throw err;
      }

      if (hashing) hash ??= new FileHash(part);
      let file: FileHandle;
      try {
        file = await fs.open(part, offset > 0 ? 'a' : 'w');
      } catch (err) {
        res.body.destroy();
        throw localError(err, 'opening the .part file');
      }
      o.onProgress?.(offset, total);
      let done: number;
      let threadpoolWrites: boolean;
      try {
        ({ done, threadpoolWrites } = await pump(res.body, file.fd, hash, offset, total, o));
      } catch (err) {
        await file.close().catch(() => undefined);
        const e = transferError(err, o.signal);
        if (e.code === 'disk_full') await removePart(part); // give the space back; the library stays clean
        throw e;
      }
      try {
        await file.close();
      } catch (err) {
        throw localError(err, 'closing the .part file');
      }
      if (total !== null && done < total) throw new DownloadError('network_error', `transfer ended at ${done} of ${total} bytes`);
      if (total !== null && done > total) {
        await removePart(part);
        throw new DownloadError('size_mismatch', `received ${done} bytes, server announced ${total}`);
      }
      return finish(part, o, done, hash, offset, restarted, status, threadpoolWrites);
    }
  }
}

/** Checks the finished .part against the expected size and digest, then moves it into place. */
async function finish(
  part: string,
  o: DownloadOptions,
  bytes: number,
  hash: FileHash | null,
  resumedFrom: number,
  restarted: boolean,
  httpStatus: number,
  threadpoolWrites: boolean,
): Promise<DownloadResult> {
  const sha256 = hash ? await hash.digest(bytes) : null;
  if (o.expectedSize != null && bytes !== o.expectedSize) {
    await removePart(part);
    throw new DownloadError('size_mismatch', `received ${bytes} bytes, expected ${o.expectedSize}`);
  }
  if (o.sha256 && o.sha256.toLowerCase() !== sha256) {
    await removePart(part);
    throw new DownloadError('checksum_mismatch', `SHA-256 ${sha256} differs from the expected ${o.sha256.toLowerCase()}`);
  }
  await moveInto(part, o.dest);
  await fs.rm(`${part}.json`, { force: true });
  return { bytes, sha256, resumedFrom, restarted, httpStatus, threadpoolWrites };
}
