/**
 * A client for Deezer's public API (api.deezer.com, developers.deezer.com/api): no token needed
 * for editorial content. New releases come from `GET /editorial/{id}/releases` (0 = all genres),
 * a list object `{"data":[album…],"total":n,"next":"…?index=25"}` paged by `index`/`limit`.
 *
 * Deezer reports errors in the body, usually with HTTP 200: `{"error":{"type":"Exception",
 * "message":"Quota limit exceeded","code":4}}`. Code 4 (quota: 50 requests / 5 s) is
 * `rate_limited` (no Retry-After is ever sent: the caller backs off); 800 "no data" / 803 /
 * 800-range not-found codes are `not_found`; other codes are `http_error`. A real HTTP 429 or
 * 5xx maps as usual. Bodies are checked with zod.
 */
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { parseRetryAfter } from '../domain/http/retry-after.js';
import { isRetryableServiceCode } from '../domain/http/service-errors.js';

export type DeezerErrorCode = 'rate_limited' | 'not_found' | 'bad_request' | 'server_error' | 'http_error' | 'malformed_response' | 'timeout' | 'network_error' | 'aborted';

export class DeezerError extends Error {
  override name = 'DeezerError';
  readonly retryable: boolean;
  constructor(
    readonly code: DeezerErrorCode,
    message: string,
    readonly status: number | null = null,
    /** Deezer's numeric error code from the body, when there was one. */
    readonly deezerCode: number | null = null,
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = isRetryableServiceCode(code);
  }
}

const errorBodySchema = z.object({ error: z.object({ type: z.string().optional(), message: z.string().optional(), code: z.number().optional() }) });
const albumSchema = z.object({
  id: z.union([z.number(), z.string()]),
  title: z.string(),
  link: z.string().nullish(),
  cover_xl: z.string().nullish(),
  cover_medium: z.string().nullish(),
  release_date: z.string().nullish(),
  record_type: z.string().nullish(),
  explicit_lyrics: z.boolean().nullish(),
  artist: z.object({ id: z.union([z.number(), z.string()]), name: z.string() }).nullish(),
});
const listSchema = z.object({ data: z.array(albumSchema), total: z.number().int().min(0).optional(), next: z.string().nullish() });

export interface DeezerAlbumRow {
  id: string;
  title: string;
  artist: { id: string; name: string } | null;
  releaseDate: string | null;
  recordType: string | null;
  explicit: boolean;
  link: string | null;
  coverUrl: string | null;
}

export interface DeezerClientOptions {
  /** `https://api.deezer.com`. */
  baseUrl?: string;
  /** Default 10 000. */
  timeoutMs?: number;
  /** Safety cap; default 1000. */
  maxItems?: number;
  dispatcher?: Dispatcher;
}

export class DeezerClient {
  readonly #base: string;
  readonly #origin: string;
  readonly #timeoutMs: number;
  readonly #maxItems: number;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(o: DeezerClientOptions = {}) {
    this.#base = (o.baseUrl ?? 'https://api.deezer.com').replace(/\/+$/, '');
    this.#origin = new URL(this.#base).origin;
    this.#timeoutMs = o.timeoutMs ?? 10_000;
    this.#maxItems = o.maxItems ?? 1000;
    this.#dispatcher = o.dispatcher;
  }

  /** `GET /editorial/{genreId}/releases`, every page. */
  async newReleases(o: { genreId?: number; signal?: AbortSignal; maxItems?: number } = {}): Promise<{ items: DeezerAlbumRow[]; total: number; truncated: boolean }> {
    const cap = o.maxItems ?? this.#maxItems;
    const items: DeezerAlbumRow[] = [];
    const seen = new Set<string>();
    let total = 0;
    let url: string | null = `${this.#base}/editorial/${o.genreId ?? 0}/releases?index=0&limit=50`;
    while (url) {
      if (seen.has(url)) throw new DeezerError('malformed_response', `the paging repeats ${url}`, 200);
      seen.add(url);
      const page: z.infer<typeof listSchema> = await this.#get(url, o.signal);
      total = page.total ?? total;
      for (const a of page.data) {
        items.push({
          id: String(a.id),
          title: a.title,
          artist: a.artist ? { id: String(a.artist.id), name: a.artist.name } : null,
          releaseDate: a.release_date ?? null,
          recordType: a.record_type ?? null,
          explicit: a.explicit_lyrics ?? false,
          link: a.link ?? null,
          coverUrl: a.cover_xl ?? a.cover_medium ?? null,
        });
      }
      if (items.length >= cap && page.next) return { items: items.slice(0, cap), total, truncated: true };
      if (page.data.length === 0 || !page.next) break;
      const next = new URL(page.next);
      if (next.origin !== this.#origin) throw new DeezerError('malformed_response', `a paging "next" on another host (${next.origin}) is not followed`, 200);
      url = next.toString();
    }
    return { items, total: Math.max(total, items.length), truncated: false };
  }

  async #get(url: string, signal: AbortSignal | undefined): Promise<z.infer<typeof listSchema>> {
    if (signal?.aborted) throw new DeezerError('aborted', `request aborted: ${url}`);
    const timeout = new AbortController();
    const timer = setTimeout(() => timeout.abort(), this.#timeoutMs);
    let status = 0;
    let text: string;
    let headers: Record<string, string | string[] | undefined> = {};
    try {
      const res = await request(url, {
        method: 'GET',
        headers: { accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout.signal]) : timeout.signal,
        ...(this.#dispatcher ? { dispatcher: this.#dispatcher } : {}),
      });
      status = res.statusCode;
      headers = res.headers;
      text = await res.body.text();
    } catch (err) {
      if (timeout.signal.aborted) throw new DeezerError('timeout', `no answer from ${url} within ${this.#timeoutMs} ms`, null, null, null, { cause: err });
      if (signal?.aborted) throw new DeezerError('aborted', `request aborted: ${url}`, null, null, null, { cause: err });
      throw new DeezerError('network_error', `network error for ${url}: ${err instanceof Error ? err.message : String(err)}`, null, null, null, { cause: err });
    } finally {
      clearTimeout(timer);
    }
    if (status === 429) throw new DeezerError('rate_limited', `HTTP 429 for ${url}`, status, null, parseRetryAfter(headers['retry-after']));
    if (status >= 500) throw new DeezerError('server_error', `HTTP ${status} for ${url}`, status);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new DeezerError(status === 200 ? 'malformed_response' : 'http_error', `${url} did not answer JSON (HTTP ${status})`, status, null, null, { cause: err });
    }
    const e = errorBodySchema.safeParse(json);
    if (e.success) {
      const { code = null, message = 'error', type = 'Exception' } = e.data.error;
      const say = `Deezer ${type} ${code ?? ''}: ${message}`.replace(/\s+/g, ' ');
      if (code === 4) throw new DeezerError('rate_limited', say, status, code);
      if (code !== null && code >= 800 && code < 900) throw new DeezerError('not_found', say, status, code);
      if (code !== null && code >= 500 && code < 700) throw new DeezerError('bad_request', say, status, code);
      throw new DeezerError('http_error', say, status, code);
    }
    if (status !== 200) throw new DeezerError('http_error', `HTTP ${status} for ${url}`, status);
    const p = listSchema.safeParse(json);
    if (!p.success) {
      const issue = p.error.issues[0];
      throw new DeezerError('malformed_response', `${url} answered an unexpected shape (${issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : '?'})`, status, null, null, { cause: p.error });
    }
    return p.data;
  }
}
