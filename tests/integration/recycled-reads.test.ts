import { createHash } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RegionPool, recycledReadsConnector, releaseChunk } from '../../server/downloads/recycled-reads.js';
import { seededRandom } from '../helpers/random.js';

const KiB = 1024;
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('RegionPool', () => {
  it('hands a region out again only once every byte read into it came back', () => {
    const pool = new RegionPool(1024, 2);
    const a = pool.next();
    expect(pool.free).toBe(0); // the socket may be reading into it
    pool.filled(a, 600);
    const b = pool.next();
    expect(b.buffer).not.toBe(a.buffer);
    pool.filled(b, 10);
    pool.release(a.subarray(0, 100));
    expect(pool.free).toBe(0);
    pool.release(a.subarray(100, 600));
    expect(pool.free).toBe(1);
    const c = pool.next();
    expect(c.buffer).toBe(a.buffer);
    expect(pool.reuses).toBe(1);
    expect(pool.size).toBe(2);
  });

  it('keeps a region whose bytes do not all come back out of use, and past its cap hands out one-off buffers', () => {
    const pool = new RegionPool(1024, 2);
    const a = pool.next();
    pool.filled(a, 500);
    pool.release(a.subarray(200, 500)); // 200 bytes (a response head) never come back
    const b = pool.next();
    pool.filled(b, 100);
    const c = pool.next(); // both regions are out: a one-off
    expect([a.buffer, b.buffer]).not.toContain(c.buffer);
    expect(pool.oneOffs).toBe(1);
    pool.filled(c, 50); // not ours: nothing to account
    pool.release(c.subarray(0, 50));
    pool.release(b.subarray(0, 100));
    expect(pool.next().buffer).toBe(b.buffer);
  });

  it('ignores a chunk of a region the socket is still reading into, and retires a region on a release larger than what is left', () => {
    const pool = new RegionPool(1024, 1);
    const a = pool.next();
    pool.release(a.subarray(0, 10)); // not filled yet: ignored
    pool.filled(a, 100);
    pool.release(a.subarray(0, 200)); // more than was read: the accounting is off, so the region is retired
    expect(pool.free).toBe(0);
    expect(pool.next().buffer).not.toBe(a.buffer);
    expect(pool.oneOffs).toBe(1);
  });
});

describe('recycledReadsConnector under undici', () => {
  const data = Buffer.alloc(8 * 1024 * KiB);
  let server: http.Server;
  let base = '';

  beforeAll(async () => {
    const rnd = seededRandom(4242);
    for (let i = 0; i < data.length; i++) data[i] = Math.floor(rnd() * 256);
    // writes of random sizes, so socket reads end anywhere (in the head, mid-chunk, …)
    server = http.createServer((req, res) => {
      const chunked = req.url === '/chunked';
      res.writeHead(200, chunked ? { 'content-type': 'application/octet-stream' } : { 'content-length': data.length });
      const w = seededRandom(req.url === '/chunked' ? 7 : 8);
      let pos = 0;
      const more = (): void => {
        while (pos < data.length) {
          const n = Math.min(data.length - pos, 1 + Math.floor(w() * 200 * KiB));
          const ok = res.write(data.subarray(pos, pos + n));
          pos += n;
          if (!ok) return void res.once('drain', more);
        }
        res.end();
      };
      more();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** Downloads `url` with chunks held for 0–2 ms (compared with the source when let go) and released, or never released. */
  async function fetchHeld(url: string, release: boolean): Promise<{ pools: RegionPool[]; intact: boolean; bytes: number; digest: string }> {
    const pools: RegionPool[] = [];
    const agent = new Agent({ connect: recycledReadsConnector({ regionBytes: 64 * KiB, maxRegions: 6, onPool: (p) => pools.push(p) }) });
    const res = await request(url, { dispatcher: agent });
    const rnd = seededRandom(99);
    const hash = createHash('sha256');
    let pos = 0;
    let intact = true;
    let held = 0;
    const kept: Buffer[] = [];
    await new Promise<void>((resolve, reject) => {
      let ended = false;
      res.body.on('data', (chunk: Buffer) => {
        const at = pos;
        pos += chunk.length;
        hash.update(Buffer.from(chunk)); // a copy now: what arrived
        if (!release) return void kept.push(chunk);
        held++;
        setTimeout(
          () => {
            // had the region been read into again, the view would no longer match the source
            if (!chunk.equals(data.subarray(at, at + chunk.length))) intact = false;
            releaseChunk(chunk);
            if (--held === 0 && ended) resolve();
          },
          Math.floor(rnd() * 3),
        );
      });
      res.body.once('end', () => {
        ended = true;
        if (held === 0) resolve();
      });
      res.body.once('error', reject);
    });
    if (!release) intact = Buffer.concat(kept).equals(data);
    await agent.close();
    return { pools, intact, bytes: pos, digest: hash.digest('hex') };
  }

  it('delivers every byte intact while the consumer holds chunks a while, reading into the same few regions', async () => {
    const r = await fetchHeld(`${base}/`, true);
    expect(r.bytes).toBe(data.length);
    expect(r.digest).toBe(sha256(data));
    expect(r.intact).toBe(true);
    expect(r.pools).toHaveLength(1);
    expect(r.pools[0]!.size).toBeLessThanOrEqual(6);
    expect(r.pools[0]!.reuses).toBeGreaterThan(10); // reads went into regions given back before
  });

  it('keeps a chunked body (chunk-size lines never come back) intact', async () => {
    const r = await fetchHeld(`${base}/chunked`, true);
    expect(r.digest).toBe(sha256(data));
    expect(r.intact).toBe(true);
  });

  it('never reads into a chunk that was not given back: a consumer that keeps every chunk still has the whole file', async () => {
    const r = await fetchHeld(`${base}/`, false);
    expect(r.intact).toBe(true);
    expect(r.digest).toBe(sha256(data));
    expect(r.pools[0]!.oneOffs).toBeGreaterThan(0); // past the cap it fell back to fresh buffers
    expect(r.pools[0]!.reuses).toBe(0);
  });
});
