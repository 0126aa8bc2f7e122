import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SongServer {
  /** http://127.0.0.1:PORT */
  readonly base: string;
  /** The files it serves by URL path; `slow` ones trickle out `chunkBytes` every `tickMs`. */
  readonly files: Map<string, { body: Buffer; slow?: boolean }>;
  /** Every request's Range header ('none' without one), in order. */
  readonly ranges: string[];
  close(): Promise<void>;
}

/**
 * A local file server for download tests: 404 for unknown paths, `Range: bytes=N-` answered
 * with 206 (so resumes can be seen), and slow files paced like a throttled peer.
 */
export async function startSongServer(opts: { chunkBytes?: number; tickMs?: number } = {}): Promise<SongServer> {
  const chunkBytes = opts.chunkBytes ?? 5000;
  const tickMs = opts.tickMs ?? 50;
  const files = new Map<string, { body: Buffer; slow?: boolean }>();
  const ranges: string[] = [];
  const server = http.createServer((req, res) => {
    ranges.push(req.headers.range ?? 'none');
    const f = files.get(req.url ?? '');
    if (!f) {
      res.writeHead(404).end('not here');
      return;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    const body = f.body.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'content-length': body.length,
      'accept-ranges': 'bytes',
      ...(range ? { 'content-range': `bytes ${start}-${f.body.length - 1}/${f.body.length}` } : {}),
    });
    if (!f.slow) {
      res.end(body);
      return;
    }
    let at = 0;
    const tick = setInterval(() => {
      if (res.destroyed || at >= body.length) {
        clearInterval(tick);
        if (!res.destroyed) res.end();
        return;
      }
      res.write(body.subarray(at, at + chunkBytes));
      at += chunkBytes;
    }, tickMs);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    files,
    ranges,
    close: async () => {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}
