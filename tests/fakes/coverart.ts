/**
 * A fake Cover Art Archive for tests: node:http on 127.0.0.1, port 0, following the documented
 * API (musicbrainz.org/doc/Cover_Art_Archive/API):
 *
 * - `GET /release/{mbid}` → `{"images":[{types,front,back,edit,image,comment,approved,id,thumbnails}],"release"}`,
 *   404 when the release is unknown, 400 when {mbid} is not a UUID;
 * - `GET /release/{mbid}/front` and `/front-{250|500|1200}` → 307 with Location pointing at the
 *   image "on the Internet Archive" (here `/download/mbid-{mbid}/mbid-{mbid}-{id}.jpg` on the
 *   same server), 404 when there is no release or no front image;
 * - `script`: answers for the next requests (503 with or without Retry-After, 401, 403, 500,
 *   a slow answer, a redirect loop), consumed one per request.
 */
import http from 'node:http';
import { FakeServer } from './fake-server.js';

export interface FakeCover {
  id: number;
  front: boolean;
  back: boolean;
  types: string[];
  bytes: Buffer;
  mimeType: string;
}

export type ScriptedCoverAnswer = { status: number; retryAfter?: string } | { delayMs: number } | { redirectLoop: true } | { notAnImage: true };

export interface RecordedCoverRequest {
  path: string;
  userAgent: string | undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class FakeCoverArtArchive extends FakeServer {
  /** Release MBID → its images. */
  readonly releases = new Map<string, FakeCover[]>();
  readonly requests: RecordedCoverRequest[] = [];
  script: ScriptedCoverAnswer[] = [];
  #nextId = 1000;


  addImage(release: string, bytes: Buffer, o: { front?: boolean; back?: boolean; mimeType?: string } = {}): FakeCover {
    const cover: FakeCover = {
      id: this.#nextId++,
      front: o.front ?? true,
      back: o.back ?? false,
      types: o.front === false ? (o.back ? ['Back'] : ['Booklet']) : ['Front'],
      bytes,
      mimeType: o.mimeType ?? 'image/jpeg',
    };
    const list = this.releases.get(release) ?? [];
    list.push(cover);
    this.releases.set(release, list);
    return cover;
  }

  protected override handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const path = new URL(req.url ?? '/', 'http://fake').pathname;
    this.requests.push({ path, userAgent: req.headers['user-agent'] });
    const json = (status: number, body: unknown, headers: http.OutgoingHttpHeaders = {}): void => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
    };
    const text = (status: number, body: string, headers: http.OutgoingHttpHeaders = {}): void => {
      res.writeHead(status, { 'content-type': 'text/plain', ...headers }).end(body);
    };

    const download = /^\/download\/mbid-([^/]+)\/mbid-[^/]+-(\d+)(?:_thumb(\d+))?\.(\w+)$/.exec(path);
    if (download) {
      const cover = this.releases.get(download[1]!)?.find((c) => c.id === Number(download[2]));
      if (!cover) return text(404, 'Not Found');
      res.writeHead(200, { 'content-type': cover.mimeType, 'content-length': cover.bytes.length }).end(cover.bytes);
      return;
    }

    const scripted = this.script.shift();
    if (scripted && 'status' in scripted) return text(scripted.status, http.STATUS_CODES[scripted.status] ?? 'Error', scripted.retryAfter !== undefined ? { 'retry-after': scripted.retryAfter } : {});
    if (scripted && 'redirectLoop' in scripted) return text(307, '', { location: path });

    const answer = (): void => {
      const m = /^\/release\/([^/]+)(?:\/(front|back)(?:-(250|500|1200))?)?\/?$/.exec(path);
      if (!m) return text(404, 'Not Found');
      const [, mbid, piece, size] = m as unknown as [string, string, string | undefined, string | undefined];
      if (!UUID.test(mbid)) return text(400, `${mbid} is not a valid MBID`);
      const covers = this.releases.get(mbid);
      if (!covers) return text(404, 'No cover art found for release');
      const fileOf = (c: FakeCover, thumb?: string): string => `${this.url}/download/mbid-${mbid}/mbid-${mbid}-${c.id}${thumb ? `_thumb${thumb}` : ''}.jpg`;
      if (!piece) {
        return json(200, {
          images: covers.map((c) => ({
            types: c.types,
            front: c.front,
            back: c.back,
            edit: 17_462_565,
            image: fileOf(c),
            comment: '',
            approved: true,
            id: c.id,
            thumbnails: { '250': fileOf(c, '250'), '500': fileOf(c, '500'), '1200': fileOf(c, '1200'), small: fileOf(c, '250'), large: fileOf(c, '500') },
          })),
          release: `https://musicbrainz.org/release/${mbid}`,
        });
      }
      const cover = covers.find((c) => (piece === 'front' ? c.front : c.back));
      if (!cover) return text(404, `No ${piece} image found`);
      if (scripted && 'notAnImage' in scripted) return text(200, '<html>maintenance</html>', { 'content-type': 'text/html' });
      text(307, `See: ${fileOf(cover, size)}`, { location: fileOf(cover, size) });
    };
    if (scripted && 'delayMs' in scripted) {
      const t = setTimeout(answer, scripted.delayMs);
      res.once('close', () => clearTimeout(t));
      return;
    }
    answer();
  }
}
