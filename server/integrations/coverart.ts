/**
 * A client for the Cover Art Archive (musicbrainz.org/doc/Cover_Art_Archive/API), written
 * against its documentation:
 *
 * - `GET /release/{mbid}` lists the release's images (JSON: `images[]` with `front`, `back`,
 *   `types`, `image`, `thumbnails`); 404 when there is no such release;
 * - `GET /release/{mbid}/front` (and `/front-250|500|1200`) answers 307 with the image's
 *   location (the Internet Archive), 404 when there is no release or no front image chosen;
 * - 400 for an MBID that is not a UUID, 503 when the caller exceeds the rate limit.
 *
 * The redirect is followed (at most 5 hops); the image is read into memory up to a cap.
 */
import { Agent, interceptors, type Dispatcher } from 'undici';
import { z } from 'zod';
import { parseRetryAfter } from '../domain/http/retry-after.js';
import { buildUserAgent, errorText, httpGet, MBID_PATTERN, MetaBrainzError, type HttpAnswer } from './musicbrainz.js';

export interface CoverArtClientOptions {
  /** `https://coverartarchive.org` (ROADIE_COVERART_URL). */
  baseUrl: string;
  /** `Application/version`, as for MusicBrainz. */
  userAgent: string;
  /** Contact for the User-Agent; when given it becomes `App/version ( contact )`. */
  contact?: string;
  /** Per request, redirects and body included; default 20 000. */
  timeoutMs?: number;
  /** Largest image accepted; default 10 MiB. */
  maxImageBytes?: number;
  /** Default: a keep-alive Agent following up to 5 redirects. */
  dispatcher?: Dispatcher;
}

export interface CoverImage {
  bytes: Buffer;
  /** From the image answer's Content-Type, e.g. image/jpeg. */
  mimeType: string;
}

export type CoverSize = 250 | 500 | 1200;

const imageSchema = z.object({
  id: z.union([z.string(), z.number()]).transform(String),
  types: z.array(z.string()).nullish(),
  front: z.boolean(),
  back: z.boolean().nullish(),
  approved: z.boolean().nullish(),
  comment: z.string().nullish(),
  image: z.string(),
  thumbnails: z.record(z.string(), z.string()).nullish(),
});
const listingSchema = z.object({ images: z.array(imageSchema), release: z.string().nullish() });

export interface CoverArtImageInfo {
  id: string;
  types: string[];
  front: boolean;
  back: boolean;
  approved: boolean;
  comment: string | null;
  /** Full-size image URL. */
  image: string;
  /** Thumbnail URLs by size key (`250`, `500`, `1200`, `small`, `large`). */
  thumbnails: Record<string, string>;
}

let sharedDispatcher: Dispatcher | null = null;
function defaultDispatcher(): Dispatcher {
  return (sharedDispatcher ??= new Agent().compose(interceptors.redirect({ maxRedirections: 5 })));
}

export class CoverArtClient {
  readonly userAgent: string;
  readonly #base: string;
  readonly #timeoutMs: number;
  readonly #maxImageBytes: number;
  readonly #dispatcher: Dispatcher;

  constructor(o: CoverArtClientOptions) {
    this.userAgent = o.contact ? buildUserAgent(o.userAgent, o.contact) : o.userAgent.trim();
    if (!this.userAgent) throw new TypeError('a User-Agent is required');
    this.#base = o.baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = o.timeoutMs ?? 20_000;
    this.#maxImageBytes = o.maxImageBytes ?? 10 << 20;
    this.#dispatcher = o.dispatcher ?? defaultDispatcher();
  }

  /**
   * The release's front cover (full size, or a thumbnail of `size` px); null when the archive
   * has no such release or no front image for it.
   */
  async frontCover(releaseMbid: string, o: { size?: CoverSize; signal?: AbortSignal } = {}): Promise<CoverImage | null> {
    const url = `${this.#base}/release/${checkMbid(releaseMbid)}/front${o.size ? `-${o.size}` : ''}`;
    const res = await this.#get(url, 'image/*', this.#maxImageBytes, o.signal);
    if (res === null) return null;
    const mimeType = String(res.headers['content-type'] ?? '')
      .split(';')[0]!
      .trim()
      .toLowerCase();
    if (!mimeType.startsWith('image/')) throw new MetaBrainzError('coverart', 'malformed_response', `${url} answered ${mimeType || 'no content type'}, not an image`, res.status);
    if (res.body.length === 0) throw new MetaBrainzError('coverart', 'malformed_response', `${url} answered an empty image`, res.status);
    return { bytes: res.body, mimeType };
  }

  /** Every image of the release (`GET /release/{mbid}`); null when the archive has no such release. */
  async listImages(releaseMbid: string, o: { signal?: AbortSignal } = {}): Promise<CoverArtImageInfo[] | null> {
    const url = `${this.#base}/release/${checkMbid(releaseMbid)}`;
    const res = await this.#get(url, 'application/json', 1 << 20, o.signal);
    if (res === null) return null;
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch (err) {
      throw new MetaBrainzError('coverart', 'malformed_response', `${url} did not answer JSON`, res.status, null, { cause: err });
    }
    const parsed = listingSchema.safeParse(json);
    if (!parsed.success) throw new MetaBrainzError('coverart', 'malformed_response', `${url} answered an unexpected shape`, res.status, null, { cause: parsed.error });
    return parsed.data.images.map((i) => ({
      id: i.id,
      types: i.types ?? [],
      front: i.front,
      back: i.back ?? false,
      approved: i.approved ?? false,
      comment: i.comment || null,
      image: i.image,
      thumbnails: i.thumbnails ?? {},
    }));
  }

  /** One GET (redirects followed); 2xx → the answer, 404 → null, anything else a MetaBrainzError. */
  async #get(url: string, accept: string, maxBytes: number, signal: AbortSignal | undefined): Promise<HttpAnswer | null> {
    const res = await httpGet(url, {
      service: 'coverart',
      headers: { 'user-agent': this.userAgent, accept },
      timeoutMs: this.#timeoutMs,
      maxBytes,
      dispatcher: this.#dispatcher,
      signal,
    });
    const s = res.status;
    if (s >= 200 && s < 300) return res;
    if (s === 404) return null;
    const detail = errorText(res.body);
    const say = `HTTP ${s} for ${url}${detail ? `: ${detail}` : ''}`;
    if (s === 400) throw new MetaBrainzError('coverart', 'bad_request', say, s);
    if (s === 401) throw new MetaBrainzError('coverart', 'unauthorized', say, s);
    if (s === 403) throw new MetaBrainzError('coverart', 'forbidden', say, s);
    if (s === 503 || s === 429) throw new MetaBrainzError('coverart', 'rate_limited', say, s, parseRetryAfter(res.headers['retry-after'], Date.now()));
    if (s >= 300 && s < 400) throw new MetaBrainzError('coverart', 'http_error', `${say} (too many redirects, or no Location)`, s);
    throw new MetaBrainzError('coverart', s >= 500 ? 'server_error' : 'http_error', say, s);
  }
}

function checkMbid(mbid: string): string {
  if (!MBID_PATTERN.test(mbid)) throw new MetaBrainzError('coverart', 'bad_request', `not a MusicBrainz identifier: "${mbid}"`);
  return mbid.toLowerCase();
}
