import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DownloadError, type DownloadErrorCode } from '../../server/domain/downloads/errors.js';
import { openFileHashes } from '../../server/downloads/file-hash.js';
import { BODY_BUFFER_BYTES, downloadFile, parseContentRange, partPathFor, type DownloadOptions } from '../../server/downloads/http-download.js';
import { RateLimiter } from '../../server/downloads/rate-limiter.js';
import { seededRandom } from '../helpers/random.js';

const MiB = 2 ** 20;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** How the test server answers; tests change it between downloads. */
interface Behaviour {
  data: Buffer;
  range: boolean;
  etag: string | null;
  /** Bytes/s, 0 = as fast as possible. */
  throttle: number;
  /** Absolute byte offset of the file at which the connection is cut (null: never). */
  cutAt: number | null;
  /** Answer every request with this status and no body. */
  status: number | null;
  /** Flip one byte of what is sent (the announced size stays right). */
  corrupt: boolean;
  /** Chunked, without Content-Length. */
  chunked: boolean;
}

interface Served {
  status: number;
  range: string | undefined;
  ifRange: string | undefined;
  bytesSent: number;
}

/** A node:http server on 127.0.0.1:0 that serves `behaviour.data` with the switches above. */
class TestServer {
  behaviour: Behaviour = TestServer.defaults(Buffer.alloc(0));
  served: Served[] = [];
  url = '';
  readonly #server = http.createServer((req, res) => this.#handle(req, res));

  static defaults(data: Buffer): Behaviour {
    return { data, range: true, etag: '"v1"', throttle: 0, cutAt: null, status: null, corrupt: false, chunked: false };
  }

  async start(): Promise<void> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/file.bin`;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  #handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const b = this.behaviour;
    const log: Served = { status: 200, range: req.headers.range, ifRange: req.headers['if-range'] as string | undefined, bytesSent: 0 };
    this.served.push(log);
    if (b.status !== null) {
      log.status = b.status;
      res.writeHead(b.status).end();
      return;
    }
    const size = b.data.length;
    let start = 0;
    const m = b.range ? /^bytes=(\d+)-$/.exec(req.headers.range ?? '') : null;
    const ifRangeOk = log.ifRange === undefined || log.ifRange === b.etag;
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'application/octet-stream', ...(b.etag ? { etag: b.etag } : {}), ...(b.range ? { 'accept-ranges': 'bytes' } : {}) };
    if (m && ifRangeOk) {
      start = Number(m[1]);
      if (start >= size) {
        log.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      log.status = 206;
      headers['content-range'] = `bytes ${start}-${size - 1}/${size}`;
    }
    if (!b.chunked) headers['content-length'] = size - start;
    res.writeHead(log.status, headers);
    let body = b.data.subarray(start);
    if (b.corrupt) {
      body = Buffer.from(body);
      const i = body.length >> 1;
      body.writeUInt8(body.readUInt8(i) ^ 0xff, i);
    }
    const end = b.cutAt === null ? body.length : Math.max(0, Math.min(body.length, b.cutAt - start));
    const cut = end < body.length;
    const slice = b.throttle > 0 ? 16 * 1024 : 256 * 1024;
    const t0 = performance.now();
    let sent = 0;
    const next = (): void => {
      if (res.destroyed) return;
      if (sent >= end) {
        if (cut) res.socket?.destroy();
        else res.end();
        return;
      }
      const n = Math.min(slice, end - sent);
      const chunk = body.subarray(sent, sent + n);
      sent += n;
      log.bytesSent += n;
      const ok = res.write(chunk);
      const dueMs = b.throttle > 0 ? (sent * 1000) / b.throttle - (performance.now() - t0) : 0;
      if (dueMs > 0) setTimeout(next, dueMs);
      else if (ok) setImmediate(next);
      else res.once('drain', next);
    };
    next();
  }
}


async function failure(p: Promise<unknown>): Promise<DownloadError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof DownloadError) return err;
    throw err;
  }
  throw new Error('expected the download to fail');
}

async function expectCode(p: Promise<unknown>, code: DownloadErrorCode): Promise<DownloadError> {
  const err = await failure(p);
  expect(err.code, err.message).toBe(code);
  return err;
}

const size = async (file: string): Promise<number> => (await fs.stat(file)).size;

describe('downloadFile over HTTP', () => {
  const server = new TestServer();
  const data = randomBytes(16 * MiB);
  const digest = sha256(data);
  let dir: string;
  let n = 0;
  /** A fresh destination per download. */
  let dest: string;

  beforeAll(async () => {
    await server.start();
    dir = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-dl-'));
  });
  afterAll(async () => {
    await server.stop();
    await fs.rm(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    server.behaviour = TestServer.defaults(data);
    server.served = [];
    dest = path.join(dir, `lib-${++n}`, 'Artist', 'song.flac');
  });
  // every download, finished or failed, lets go of its hash on the hashing thread
  afterEach(() => expect(openFileHashes()).toBe(0));

  const get = (extra: Partial<DownloadOptions> = {}): ReturnType<typeof downloadFile> => downloadFile({ url: server.url, dest, minFreeMarginBytes: 0, ...extra });

  it('downloads a file, verifies it and moves it into place without leftovers', async () => {
    const progress: [number, number | null][] = [];
    const r = await get({ sha256: digest, expectedSize: data.length, onProgress: (d, t) => progress.push([d, t]) });
    expect(r).toMatchObject({ bytes: data.length, sha256: digest, resumedFrom: 0, restarted: false, httpStatus: 200 });
    expect(sha256(await fs.readFile(dest))).toBe(digest);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(existsSync(`${dest}.part.json`)).toBe(false);
    expect(progress[0]).toEqual([0, data.length]);
    expect(progress.at(-1)).toEqual([data.length, data.length]);
    expect(progress.every(([d], i) => i === 0 || d >= progress[i - 1]![0])).toBe(true);
  });

  it('skips the hash when asked (hash: false), unless a digest is expected', async () => {
    expect(await get({ hash: false })).toMatchObject({ bytes: data.length, sha256: null });
    dest = path.join(dir, `lib-${++n}`, 'song.flac');
    expect(await get({ hash: false, sha256: digest })).toMatchObject({ sha256: digest });
  });

  it('resumes after cuts at random byte offsets: identical file, at most one buffer fetched twice per cut', async () => {
    const random = seededRandom(20261130);
    const cuts = Array.from({ length: 4 }, () => Math.floor(random() * data.length)).sort((a, b) => a - b);
    const part = `${dest}.part`;
    for (const cutAt of cuts) {
      server.behaviour.cutAt = cutAt;
      const before = existsSync(part) ? await size(part) : 0;
      const err = await expectCode(get({ sha256: digest }), 'network_error');
      expect(err.retryable).toBe(true);
      const kept = await size(part);
      expect(kept, `cut at ${cutAt}`).toBeLessThanOrEqual(Math.max(cutAt, before));
      expect(Math.max(cutAt, before) - kept, `cut at ${cutAt}, kept ${kept}`).toBeLessThanOrEqual(BODY_BUFFER_BYTES);
    }
    server.behaviour.cutAt = null;
    const kept = await size(part);
    const r = await get({ sha256: digest });
    expect(r).toMatchObject({ bytes: data.length, sha256: digest, resumedFrom: kept, restarted: false, httpStatus: 206 });
    expect(sha256(await fs.readFile(dest))).toBe(digest);
    const resumed = server.served.slice(1);
    expect(resumed.every((s) => s.range?.startsWith('bytes=') && s.ifRange === '"v1"')).toBe(true);
    const sent = server.served.reduce((a, s) => a + s.bytesSent, 0);
    expect(sent - data.length).toBeLessThanOrEqual(cuts.length * BODY_BUFFER_BYTES);
    expect(existsSync(part)).toBe(false);
  });

  it('after a slow write goes on through the threadpool: cuts keep what was received, the resumed file is identical, a limit still holds', async () => {
    // syncWriteLimitMs -1: every write after the first counts as slow
    const slow = { syncWriteLimitMs: -1 };
    const part = `${dest}.part`;
    for (const cutAt of [3 * MiB + 12345, 9 * MiB + 777]) {
      server.behaviour.cutAt = cutAt;
      const before = existsSync(part) ? await size(part) : 0;
      await expectCode(get({ ...slow, sha256: digest }), 'network_error');
      const kept = await size(part);
      expect(kept, `cut at ${cutAt}`).toBeLessThanOrEqual(cutAt);
      expect(cutAt - kept, `cut at ${cutAt}, kept ${kept} (before: ${before})`).toBeLessThanOrEqual(BODY_BUFFER_BYTES);
    }
    server.behaviour.cutAt = null;
    const kept = await size(part);
    const r = await get({ ...slow, sha256: digest });
    expect(r).toMatchObject({ bytes: data.length, sha256: digest, resumedFrom: kept, httpStatus: 206, threadpoolWrites: true });
    expect(sha256(await fs.readFile(dest))).toBe(digest);

    const limited = path.join(dir, `lib-${++n}`, 'limited.flac');
    const limiter = new RateLimiter(4 * MiB);
    server.behaviour.data = data.subarray(0, 4 * MiB);
    const t0 = performance.now();
    const l = await downloadFile({ url: server.url, dest: limited, minFreeMarginBytes: 0, rateLimiter: limiter, ...slow });
    const rate = l.bytes / ((performance.now() - t0) / 1000);
    expect(rate / (4 * MiB)).toBeGreaterThan(0.85);
    expect(rate / (4 * MiB)).toBeLessThan(1.15);
    expect(l.threadpoolWrites).toBe(true);
    expect(sha256(await fs.readFile(limited))).toBe(sha256(data.subarray(0, 4 * MiB)));
  });

  it('starts over cleanly when the server ignores Range (200 to a range request)', async () => {
    server.behaviour.range = false;
    server.behaviour.cutAt = 5 * MiB;
    await expectCode(get(), 'network_error');
    expect(await size(`${dest}.part`)).toBeGreaterThan(0);
    server.behaviour.cutAt = null;
    const r = await get({ sha256: digest });
    expect(r).toMatchObject({ bytes: data.length, resumedFrom: 0, restarted: true, httpStatus: 200 });
    expect(server.served[1]?.range).toMatch(/^bytes=\d+-$/);
    expect(sha256(await fs.readFile(dest))).toBe(digest);
  });

  it('starts over when the file changed since the .part was written (If-Range with the old ETag)', async () => {
    server.behaviour.cutAt = 3 * MiB;
    await expectCode(get(), 'network_error');
    const changed = Buffer.from(data);
    changed.writeUInt8(changed.readUInt8(0) ^ 0xff, 0);
    server.behaviour = { ...TestServer.defaults(changed), etag: '"v2"' };
    const r = await get({ sha256: sha256(changed) });
    expect(r).toMatchObject({ resumedFrom: 0, restarted: true, httpStatus: 200 });
    expect(server.served[1]?.ifRange).toBe('"v1"');
  });

  it('treats 416 as complete when the .part already holds the whole file, and starts over when it does not', async () => {
    const part = `${dest}.part`;
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.writeFile(part, data);
    await fs.writeFile(`${part}.json`, JSON.stringify({ url: server.url, etag: '"v1"' }));
    expect(await get({ sha256: digest })).toEqual({ bytes: data.length, sha256: digest, resumedFrom: data.length, restarted: false, httpStatus: 416, threadpoolWrites: false });
    expect(existsSync(part)).toBe(false);

    // a .part longer than the file: 416 with another size → fresh download
    dest = path.join(dir, `lib-${++n}`, 'song.flac');
    await fs.mkdir(path.dirname(dest), { recursive: true });
    await fs.writeFile(`${dest}.part`, Buffer.concat([data, Buffer.alloc(10)]));
    expect(await get({ sha256: digest })).toMatchObject({ resumedFrom: 0, restarted: true, httpStatus: 200 });
  });

  it('keeps the .part in partDir when given, named after the destination', async () => {
    const partDir = path.join(dir, 'tmp');
    server.behaviour.cutAt = 3 * MiB; // past the body buffer, so some bytes are surely kept
    await expectCode(get({ partDir }), 'network_error');
    const part = partPathFor(dest, partDir);
    expect(path.dirname(part)).toBe(partDir);
    expect(existsSync(part)).toBe(true);
    expect(partPathFor(path.join(dir, 'other', 'song.flac'), partDir)).not.toBe(part);
    server.behaviour.cutAt = null;
    expect(await get({ partDir, sha256: digest })).toMatchObject({ httpStatus: 206 });
    expect(await fs.readdir(partDir)).toEqual([]);
  });

  it('fails with file_not_found on 404 and 410 (not retryable), http_error with the status otherwise', async () => {
    for (const status of [404, 410]) {
      server.behaviour.status = status;
      const err = await expectCode(get(), 'file_not_found');
      expect(err).toMatchObject({ httpStatus: status, retryable: false });
    }
    server.behaviour.status = 503;
    expect(await expectCode(get(), 'http_error')).toMatchObject({ httpStatus: 503, retryable: true });
    server.behaviour.status = 403;
    expect(await expectCode(get(), 'http_error')).toMatchObject({ httpStatus: 403, retryable: false });
    expect(existsSync(dest)).toBe(false);
  });

  it('fails with checksum_mismatch on wrong bytes or a wrong digest, leaving nothing behind', async () => {
    server.behaviour.corrupt = true;
    await expectCode(get({ sha256: digest }), 'checksum_mismatch');
    server.behaviour.corrupt = false;
    await expectCode(get({ sha256: sha256(Buffer.from('other')) }), 'checksum_mismatch');
    expect(existsSync(dest)).toBe(false);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(existsSync(`${dest}.part.json`)).toBe(false);
  });

  it('fails with size_mismatch when the server announces another size than expected', async () => {
    await expectCode(get({ expectedSize: data.length + 1 }), 'size_mismatch');
    server.behaviour.chunked = true; // no announced size: found out at the end
    await expectCode(get({ expectedSize: data.length - 1 }), 'size_mismatch');
    expect(existsSync(`${dest}.part`)).toBe(false);
  });

  it('fails with network_error when nothing listens', async () => {
    const err = await expectCode(downloadFile({ url: 'http://127.0.0.1:1/x', dest }), 'network_error');
    expect(err.retryable).toBe(true);
  });

  it('aborts on the signal keeping the .part and its bytes, and resumes from them later', async () => {
    server.behaviour.throttle = 8 * MiB;
    const ac = new AbortController();
    const err = await expectCode(get({ signal: ac.signal, onProgress: (d) => d >= 2 * MiB && ac.abort() }), 'aborted');
    expect(err.retryable).toBe(true);
    const kept = await size(`${dest}.part`);
    expect(kept).toBeGreaterThanOrEqual(2 * MiB);
    expect(JSON.parse(await fs.readFile(`${dest}.part.json`, 'utf8'))).toMatchObject({ url: server.url, etag: '"v1"', total: data.length });
    server.behaviour.throttle = 0;
    expect(await get({ sha256: digest })).toMatchObject({ resumedFrom: kept, restarted: false, httpStatus: 206, sha256: digest });
    // an aborted signal before the start touches nothing
    await expectCode(downloadFile({ url: server.url, dest: path.join(dir, 'never', 'x'), signal: AbortSignal.abort() }), 'aborted');
    expect(existsSync(path.join(dir, 'never'))).toBe(false);
  });

  it('honours a speed limit within 10 % (4 MiB/s over 2 s)', async () => {
    const limiter = new RateLimiter(4 * MiB);
    server.behaviour.data = data.subarray(0, 8 * MiB);
    const t0 = performance.now();
    const r = await get({ rateLimiter: limiter });
    const rate = r.bytes / ((performance.now() - t0) / 1000);
    expect(rate / (4 * MiB)).toBeGreaterThan(0.9);
    expect(rate / (4 * MiB)).toBeLessThan(1.1);
  });

  it('shares one limit fairly between two concurrent downloads, and takes a new limit live', async () => {
    const limiter = new RateLimiter(4 * MiB);
    server.behaviour.data = data.subarray(0, 4 * MiB);
    const t0 = performance.now();
    const ends: number[] = [];
    const one = (i: number): Promise<unknown> => get({ dest: path.join(dir, `pair-${n}`, `${i}.bin`), rateLimiter: limiter }).then(() => ends.push((performance.now() - t0) / 1000));
    await Promise.all([one(1), one(2)]);
    const elapsed = Math.max(...ends);
    const rate = (8 * MiB) / elapsed;
    expect(rate / (4 * MiB)).toBeGreaterThan(0.9);
    expect(rate / (4 * MiB)).toBeLessThan(1.1);
    expect(Math.abs(ends[0]! - ends[1]!) / elapsed).toBeLessThan(0.1); // neither got ahead

    // live change: 2 MiB/s for ~1 s, then 8 MiB/s for the remaining ~6 MiB (~0.75 s)
    limiter.setLimit(2 * MiB);
    server.behaviour.data = data.subarray(0, 8 * MiB);
    const t1 = performance.now();
    setTimeout(() => limiter.setLimit(8 * MiB), 1000);
    await get({ dest: path.join(dir, `live-${n}`, 'x.bin'), rateLimiter: limiter });
    const s = (performance.now() - t1) / 1000;
    expect(s).toBeGreaterThan(1.75 * 0.9);
    expect(s).toBeLessThan(1.75 * 1.1);
  });

  it('rejects a waiter whose signal aborts and releases every waiter when the limit goes to 0', async () => {
    const limiter = new RateLimiter(0);
    expect(limiter.take(MiB)).toBeNull(); // unlimited: no wait at all
    limiter.setLimit(64 * 1024);
    const ac = new AbortController();
    const waiting = limiter.take(MiB, ac.signal);
    expect(waiting).not.toBeNull();
    ac.abort(new Error('stop'));
    await expect(waiting).rejects.toThrow('stop');
    const big = limiter.take(8 * MiB);
    limiter.setLimit(0);
    await expect(big).resolves.toBeUndefined();
    expect(limiter.take(MiB)).toBeNull();
  });

  it('checks free space before starting (statfs injected): disk_full without creating a file', async () => {
    const statfs = async (): Promise<{ bavail: number; bsize: number }> => ({ bavail: 100, bsize: 4096 });
    await expectCode(get({ expectedSize: data.length, statfs }), 'disk_full');
    await expectCode(get({ statfs }), 'disk_full'); // from Content-Length
    const err = await expectCode(get({ statfs: async () => ({ bavail: data.length / 4096, bsize: 4096 }), minFreeMarginBytes: 16 * MiB }), 'disk_full');
    expect(err.message).toMatch(/free/);
    expect(err.retryable).toBe(true);
    expect(existsSync(`${dest}.part`)).toBe(false);
    expect(existsSync(dest)).toBe(false);
  });

  it('parses Content-Range', () => {
    expect(parseContentRange('bytes 5-9/10')).toEqual({ start: 5, end: 9, total: 10 });
    expect(parseContentRange('bytes */10')).toEqual({ start: -1, end: -1, total: 10 });
    expect(parseContentRange('bytes 0-9/*')).toEqual({ start: 0, end: 9, total: null });
    expect(parseContentRange('items 0-9/10')).toBeNull();
  });

  describe('on a real 2 MiB filesystem (tmpfs, needs root)', () => {
    let mnt = '';
    beforeAll(async () => {
      const m = await fs.mkdtemp(path.join(os.tmpdir(), 'roadie-tmpfs-'));
      try {
        execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', m], { stdio: 'pipe' });
        mnt = m;
      } catch (err) {
        await fs.rmdir(m);
        console.warn(`tmpfs mount impossible, real disk-full tests skipped: ${(err as Error).message.split('\n')[0]}`);
      }
    });
    afterAll(async () => {
      if (!mnt) return;
      execFileSync('umount', [mnt]);
      await fs.rmdir(mnt);
    });

    it('refuses a download larger than the free space before creating anything', async (ctx) => {
      if (!mnt) return ctx.skip();
      server.behaviour.data = data.subarray(0, 4 * MiB);
      const target = path.join(mnt, 'lib', 'song.flac');
      await expectCode(downloadFile({ url: server.url, dest: target, minFreeMarginBytes: 0 }), 'disk_full');
      expect(existsSync(`${target}.part`)).toBe(false);
      expect(existsSync(target)).toBe(false);
    });

    it('fails with disk_full on ENOSPC mid-transfer (size unknown) and removes the .part', async (ctx) => {
      if (!mnt) return ctx.skip();
      server.behaviour.data = data.subarray(0, 4 * MiB);
      server.behaviour.chunked = true;
      const target = path.join(mnt, 'lib2', 'song.flac');
      const err = await expectCode(downloadFile({ url: server.url, dest: target, minFreeMarginBytes: 0 }), 'disk_full');
      expect(err.message).toMatch(/disk full/);
      expect(await fs.readdir(path.dirname(target))).toEqual([]);
      expect((await fs.statfs(mnt)).bfree).toBeGreaterThan(0); // the space came back
      // a file that fits still downloads there
      server.behaviour = TestServer.defaults(data.subarray(0, MiB));
      expect(await downloadFile({ url: server.url, dest: target, minFreeMarginBytes: 0 })).toMatchObject({ bytes: MiB });
    });
  });
});
