/**
 * Socket reads into a small set of reused buffers, for plain-HTTP downloads through undici.
 *
 * By default every socket read lands in a fresh 64 KiB allocation that lives until the garbage
 * collector finds it. At loopback speed that is 16,000 allocations per GiB: new memory for the
 * kernel to fault in (on a VM with free page reporting, for the host too) and external memory
 * that keeps V8's major collector busy over the whole heap. Here a socket reads into one of a
 * few fixed regions instead (Node's `onread` option with a buffer generator), and the body
 * chunks undici hands out are views into that region.
 *
 * A region is handed out again only once every byte read into it was given back with
 * `release(chunk)` (after the bytes were hashed and written). Bytes that never come back (the
 * response head, chunk-size lines, a chunk copied by a stream concat, a download that failed)
 * keep their region out of use for good; the pool then allocates new regions, and past its cap
 * fresh one-off buffers like Node's own. So a missed release costs speed, never data: nothing
 * is ever read into a buffer that somebody may still look at.
 */
import type net from 'node:net';
import { buildConnector } from 'undici';

/**
 * Bytes per socket read. Over loopback a read fills it; 512 KiB–1 MiB took the least time for
 * 1 GiB on this 2-core VM (64 KiB: +25 %; 2 MiB, beyond the core's L2: +25–75 %).
 */
export const REGION_BYTES = 512 << 10;
/**
 * Regions per connection. A consumer that writes each chunk as it comes needs two or three;
 * the rest cover chunks held back (rate limit) or buffered while the body is paused.
 */
export const MAX_REGIONS = 8;

/** Region buffers → their pool, so a consumer needs only the chunk to give it back. */
const poolOf = new WeakMap<ArrayBufferLike, RegionPool>();

interface Region {
  buf: Buffer;
  /** Bytes read into it and not yet released; -1 while the socket may still be reading into it. */
  pending: number;
}

export class RegionPool {
  private readonly regions: Region[] = [];
  private readonly byArrayBuffer = new Map<ArrayBufferLike, Region>();
  /** Buffers handed out past the cap (one-off, left to the collector). */
  oneOffs = 0;
  /** Reads into a region that had been read into before. */
  reuses = 0;

  constructor(
    private readonly regionBytes = REGION_BYTES,
    private readonly maxRegions = MAX_REGIONS,
  ) {}

  /** The buffer for the socket's next read: a free region, a new one, or a one-off past the cap. */
  next(): Buffer {
    let r = this.regions.find((x) => x.pending === 0);
    if (r) this.reuses++;
    else if (this.regions.length < this.maxRegions) {
      r = { buf: Buffer.allocUnsafeSlow(this.regionBytes), pending: 0 };
      this.regions.push(r);
      this.byArrayBuffer.set(r.buf.buffer, r);
      poolOf.set(r.buf.buffer, this);
    }
    if (!r) {
      this.oneOffs++;
      return Buffer.allocUnsafeSlow(this.regionBytes);
    }
    r.pending = -1;
    return r.buf;
  }

  /** The socket read `nread` bytes into `buf`: they are out until released. */
  filled(buf: Buffer, nread: number): void {
    const r = this.byArrayBuffer.get(buf.buffer);
    if (r) r.pending = nread;
  }

  /**
   * `chunk` (a view into a region, or anything else: then nothing happens) is done with.
   * Release each chunk once: a second release could count against the region's next read.
   */
  release(chunk: Uint8Array): void {
    const r = this.byArrayBuffer.get(chunk.buffer);
    if (!r || r.pending <= 0) return;
    // a chunk that is not (wholly) inside the bytes it read cannot be accounted: retire the region
    r.pending = chunk.byteLength <= r.pending ? r.pending - chunk.byteLength : Number.POSITIVE_INFINITY;
  }

  /** Regions free for the next read (for tests). */
  get free(): number {
    return this.regions.filter((x) => x.pending === 0).length;
  }

  get size(): number {
    return this.regions.length;
  }
}

/** Gives `chunk` back to the pool of the socket it was read from, when it came from one. */
export function releaseChunk(chunk: Uint8Array): void {
  poolOf.get(chunk.buffer)?.release(chunk);
}

export interface RecycledReadsOptions {
  regionBytes?: number;
  maxRegions?: number;
  /** Sees each connection's pool (tests, metrics). */
  onPool?: (pool: RegionPool) => void;
}

/**
 * An undici `connect` function: plain-HTTP connections read into a RegionPool of their own;
 * HTTPS (TLS reads its own records) uses undici's default connector.
 */
export function recycledReadsConnector(options: RecycledReadsOptions = {}): buildConnector.connector {
  const tlsConnect = buildConnector({});
  return (opts, callback) => {
    if (opts.protocol !== 'http:') return tlsConnect(opts, callback);
    const pool = new RegionPool(options.regionBytes, options.maxRegions);
    options.onPool?.(pool);
    const connect = buildConnector({
      onread: {
        buffer: () => pool.next(),
        callback(this: net.Socket, nread: number, buf: Uint8Array): boolean {
          pool.filled(buf as Buffer, nread);
          return this.push(buf.subarray(0, nread));
        },
      },
    } as buildConnector.BuildOptions);
    return connect(opts, callback);
  };
}

