/**
 * A fake Deezer public API (node:http, 127.0.0.1, port 0) following developers.deezer.com/api:
 * `GET /editorial/{id}/releases?index&limit` → `{"data":[album…],"total":n,"next":"…"}` (limit
 * default 25); an unknown editorial → HTTP 200 `{"error":{"type":"DataException","message":"no data","code":800}}`;
 * `script` for the next requests: the quota error (HTTP 200, code 4), an HTTP status,
 * malformed JSON, a slow answer.
 */
import http from 'node:http';
import { FakeServer } from './fake-server.js';

export type DeezerScripted = { quota: true } | { status: number; retryAfter?: string } | { malformed: true } | { delayMs: number };

export interface FakeDeezerAlbum {
  id: number;
  title: string;
  artist: { id: number; name: string };
  release_date: string;
  record_type: string;
}

export class FakeDeezer extends FakeServer {
  readonly releases: FakeDeezerAlbum[] = [];
  readonly requests: { path: string; query: URLSearchParams }[] = [];
  script: DeezerScripted[] = [];


  reset(): void {
    this.requests.length = 0;
    this.script = [];
  }

  protected override handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const u = new URL(req.url ?? '/', this.url);
    this.requests.push({ path: u.pathname, query: u.searchParams });
    const json = (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers }).end(text);
    };
    const s = this.script.shift();
    if (s && 'quota' in s) return json(200, { error: { type: 'Exception', message: 'Quota limit exceeded', code: 4 } });
    if (s && 'status' in s) {
      // what a proxy or CDN in front of the API may answer
      return json(s.status, { error: { type: 'Exception', message: http.STATUS_CODES[s.status] ?? 'error', code: 100 } }, s.retryAfter ? { 'retry-after': s.retryAfter } : {});
    }
    if (s && 'malformed' in s) {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[{"id":1,');
      return;
    }
    const answer = (): void => this.#route(u, json);
    if (s && 'delayMs' in s) {
      const t = setTimeout(answer, s.delayMs);
      res.once('close', () => clearTimeout(t));
      return;
    }
    answer();
  }

  #route(u: URL, json: (status: number, body: unknown) => void): void {
    const m = /^\/editorial\/(\d+)\/releases$/.exec(u.pathname);
    if (!m || m[1] !== '0') return json(200, { error: { type: 'DataException', message: 'no data', code: 800 } });
    const index = Math.max(0, Number(u.searchParams.get('index') ?? 0) || 0);
    const limit = Math.max(1, Number(u.searchParams.get('limit') ?? 25) || 25);
    const data = this.releases.slice(index, index + limit).map((a) => ({
      ...a,
      link: `https://www.deezer.com/album/${a.id}`,
      cover_xl: `https://e-cdns-images.dzcdn.net/images/cover/${a.id}/1000x1000.jpg`,
      explicit_lyrics: false,
      type: 'album',
      artist: { ...a.artist, type: 'artist' },
    }));
    const body: Record<string, unknown> = { data, total: this.releases.length };
    if (index + limit < this.releases.length) body.next = `${this.url}${u.pathname}?index=${index + limit}&limit=${limit}`;
    if (index > 0) body.prev = `${this.url}${u.pathname}?index=${Math.max(0, index - limit)}&limit=${limit}`;
    json(200, body);
  }
}
