/**
 * Client of slskd's REST API (https://github.com/slskd/slskd), written against its controllers:
 *
 * - GET  /api/v0/application                      – application state (the service probe)
 *        src/slskd/Core/API/Controllers/ApplicationController.cs, src/slskd/Core/State.cs
 * - POST /api/v0/searches { id, searchText, … }    – starts a search, answers the Search record
 * - GET  /api/v0/searches/{id}                     – state, isComplete, responseCount, fileCount
 * - GET  /api/v0/searches/{id}/responses           – one Response per user
 * - PUT  /api/v0/searches/{id}                     – stops a search
 *        src/slskd/Search/API/Controllers/SearchesController.cs, src/slskd/Search/Types/*.cs
 * - POST /api/v0/transfers/downloads/{username} [{ filename, size }] – 201 { enqueued, failed }
 * - GET  /api/v0/transfers/downloads/{username}   – { username, directories: [{ directory, files: Transfer[] }] }, 404 when none
 * - DELETE /api/v0/transfers/downloads/{username}/{id}[?remove=true] – cancels (204), 404 when unknown
 *        src/slskd/Transfers/API/Controllers/TransfersController.cs, src/slskd/Transfers/Types/Transfer.cs
 *
 * Authentication: the `X-API-Key` header (src/slskd/Common/Authentication/ApiKeyAuthentication.cs);
 * a missing or wrong key is 401, a role without the right 403. slskd itself answers 429 ("Only one
 * concurrent operation is permitted") when a search or an enqueue is already running, without
 * Retry-After; a reverse proxy may send one. Both are retried here a few times.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleepTimer } from 'node:timers/promises';
import { request, type Dispatcher } from 'undici';
import { z } from 'zod';
import { transferOutcome, type SoulseekResponse, type TransferOutcome } from '../domain/soulseek/ranking.js';
import { parseRetryAfter } from '../domain/http/retry-after.js';
import { isRetryableServiceCode } from '../domain/http/service-errors.js';

export const SLSKD_ERROR_CODES = ['unauthorized', 'forbidden', 'not_found', 'rate_limited', 'server_error', 'http_error', 'malformed_response', 'timeout', 'network_error', 'aborted'] as const;
export type SlskdErrorCode = (typeof SLSKD_ERROR_CODES)[number];

/** A failed call to slskd; `retryable` says whether the same call may work later without a setting changed. */
export class SlskdError extends Error {
  override name = 'SlskdError';
  readonly retryable: boolean;
  constructor(
    readonly code: SlskdErrorCode,
    message: string,
    readonly httpStatus: number | null = null,
    /** For rate_limited: what the last Retry-After asked for, in ms. */
    readonly retryAfterMs: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = isRetryableServiceCode(code);
  }
}

// --- response shapes (zod), lenient about fields slskd may add or leave out -------------------

const num = z.number().finite();
const fileSchema = z.object({
  filename: z.string(),
  size: num,
  bitRate: num.nullish(),
  bitDepth: num.nullish(),
  sampleRate: num.nullish(),
  length: num.nullish(),
  extension: z.string().nullish(),
  isVariableBitRate: z.boolean().nullish(),
  isLocked: z.boolean().nullish(),
  code: num.nullish(),
});
const responseSchema = z.object({
  username: z.string(),
  hasFreeUploadSlot: z.boolean(),
  queueLength: num,
  uploadSpeed: num,
  fileCount: num.nullish(),
  lockedFileCount: num.nullish(),
  files: z.array(fileSchema),
  lockedFiles: z.array(fileSchema).nullish(),
});
const searchSchema = z.object({
  id: z.string(),
  searchText: z.string(),
  state: z.string(),
  isComplete: z.boolean(),
  responseCount: num,
  fileCount: num,
  lockedFileCount: num.nullish(),
  startedAt: z.string().nullish(),
  endedAt: z.string().nullish(),
  responses: z.array(responseSchema).nullish(),
});
const transferSchema = z.object({
  id: z.string(),
  username: z.string(),
  filename: z.string(),
  size: num,
  state: z.string(),
  bytesTransferred: num,
  averageSpeed: num,
  percentComplete: num.nullish(),
  bytesRemaining: num.nullish(),
  requestedAt: z.string().nullish(),
  enqueuedAt: z.string().nullish(),
  startedAt: z.string().nullish(),
  endedAt: z.string().nullish(),
  placeInQueue: num.nullish(),
  exception: z.string().nullish(),
});
const userTransfersSchema = z.object({
  username: z.string(),
  directories: z.array(z.object({ directory: z.string().nullish(), name: z.string().nullish(), fileCount: num.nullish(), files: z.array(transferSchema) })),
});
const enqueueSchema = z.object({ enqueued: z.array(transferSchema).nullish(), failed: z.array(z.unknown()).nullish() });
const applicationSchema = z.looseObject({
  version: z.looseObject({ full: z.string().nullish(), current: z.string().nullish(), latest: z.string().nullish(), isUpdateAvailable: z.boolean().nullish() }),
  server: z.looseObject({ address: z.string().nullish(), state: z.string().nullish(), isConnected: z.boolean(), isLoggedIn: z.boolean() }),
  user: z.looseObject({ username: z.string().nullish() }).nullish(),
});

export type SlskdSearch = z.infer<typeof searchSchema>;
export type SlskdTransferRecord = z.infer<typeof transferSchema>;
export type SlskdApplication = z.infer<typeof applicationSchema>;

/** A transfer as the Download Monitor follows it. */
export interface TransferSnapshot {
  id: string;
  username: string;
  filename: string;
  state: string;
  bytesTransferred: number;
  size: number;
  /** Bytes per second, slskd's average over the transfer. */
  averageSpeed: number;
  percentComplete: number;
  placeInQueue: number | null;
  exception: string | null;
  outcome: TransferOutcome;
}

export interface SearchResult {
  search: SlskdSearch;
  responses: SoulseekResponse[];
  /** False when the deadline came first (the search was stopped; responses are what had arrived). */
  complete: boolean;
}

export interface EnqueueResult {
  enqueued: SlskdTransferRecord[];
  failed: unknown[];
}

export interface SlskdClientOptions {
  /** e.g. http://slskd:5030 (a path prefix such as /slskd is kept). */
  baseUrl: string;
  apiKey: string;
  /** Per request, headers and body (default 10 s). */
  timeoutMs?: number;
  /** Between polls of a search or a transfer (default 1 s). */
  pollMs?: number;
  /** How long search() waits for slskd to finish a search (default 60 s). */
  searchDeadlineMs?: number;
  /** Retries after a 429 (default 3). */
  rateLimitRetries?: number;
  /** Wait after a 429 without Retry-After, doubled each time (default 500 ms). */
  rateLimitBackoffMs?: number;
  /** A longer Retry-After is not waited for: the call fails with rate_limited (default 30 s). */
  maxRetryAfterMs?: number;
  dispatcher?: Dispatcher;
  /** Injectable clock and sleep (tests). */
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

const defaultSleep = (ms: number, signal?: AbortSignal): Promise<void> => sleepTimer(ms, undefined, signal ? { signal } : {});

function codeForStatus(status: number): SlskdErrorCode {
  if (status === 401) return 'unauthorized';
  if (status === 403) return 'forbidden';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  return status >= 500 ? 'server_error' : 'http_error';
}

interface CallOptions {
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  body?: unknown;
  signal?: AbortSignal;
  /** Statuses answered with null instead of an error (404 for "no downloads for that user"). */
  nullOn?: readonly number[];
}

export class SlskdClient {
  readonly #base: string;
  readonly #o: Required<Omit<SlskdClientOptions, 'dispatcher' | 'baseUrl'>> & { dispatcher: Dispatcher | undefined };

  constructor(o: SlskdClientOptions) {
    this.#base = o.baseUrl.replace(/\/+$/, '');
    this.#o = {
      apiKey: o.apiKey,
      timeoutMs: o.timeoutMs ?? 10_000,
      pollMs: o.pollMs ?? 1000,
      searchDeadlineMs: o.searchDeadlineMs ?? 60_000,
      rateLimitRetries: o.rateLimitRetries ?? 3,
      rateLimitBackoffMs: o.rateLimitBackoffMs ?? 500,
      maxRetryAfterMs: o.maxRetryAfterMs ?? 30_000,
      dispatcher: o.dispatcher,
      now: o.now ?? Date.now,
      sleep: o.sleep ?? defaultSleep,
    };
  }

  /** One call: JSON in and out, the API key, the timeout, 429 retries; errors as SlskdError. */
  async #call(path: string, c: CallOptions = {}): Promise<unknown> {
    for (let attempt = 0; ; attempt++) {
      const timeout = AbortSignal.timeout(this.#o.timeoutMs);
      const signal = c.signal ? AbortSignal.any([c.signal, timeout]) : timeout;
      const fail = (err: unknown): SlskdError => {
        if (err instanceof SlskdError) return err;
        if (c.signal?.aborted) return new SlskdError('aborted', `slskd ${path}: aborted`, null, null, { cause: err });
        if (timeout.aborted) return new SlskdError('timeout', `slskd ${path}: no answer within ${this.#o.timeoutMs} ms`, null, null, { cause: err });
        const msg = err instanceof Error ? err.message : String(err);
        return new SlskdError('network_error', `slskd ${path}: ${msg}`, null, null, { cause: err });
      };
      let status: number;
      let text: string;
      let retryAfter: string | string[] | undefined;
      try {
        const res = await request(`${this.#base}${path}`, {
          method: c.method ?? 'GET',
          headers: { 'x-api-key': this.#o.apiKey, accept: 'application/json', ...(c.body !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(c.body !== undefined ? { body: JSON.stringify(c.body) } : {}),
          signal,
          ...(this.#o.dispatcher ? { dispatcher: this.#o.dispatcher } : {}),
        });
        status = res.statusCode;
        retryAfter = res.headers['retry-after'];
        text = await res.body.text();
      } catch (err) {
        throw fail(err);
      }
      if (status === 429) {
        const asked = parseRetryAfter(retryAfter, this.#o.now());
        const wait = asked ?? this.#o.rateLimitBackoffMs * 2 ** attempt;
        if (attempt >= this.#o.rateLimitRetries || wait > this.#o.maxRetryAfterMs) {
          throw new SlskdError('rate_limited', `slskd ${path}: rate limited (429${asked != null ? `, Retry-After ${Math.ceil(asked / 1000)} s` : ''}) after ${attempt + 1} tries`, 429, asked);
        }
        try {
          await this.#o.sleep(wait, c.signal);
        } catch (err) {
          throw fail(err);
        }
        continue;
      }
      if (c.nullOn?.includes(status)) return null;
      if (status < 200 || status >= 300) {
        const detail = text.trim().slice(0, 200);
        throw new SlskdError(codeForStatus(status), `slskd ${path}: HTTP ${status}${detail ? ` (${detail})` : ''}`, status);
      }
      if (text.trim() === '') return undefined;
      try {
        return JSON.parse(text) as unknown;
      } catch (err) {
        throw new SlskdError('malformed_response', `slskd ${path}: body is not JSON`, status, null, { cause: err });
      }
    }
  }

  #parse<S extends z.ZodType>(schema: S, value: unknown, path: string): z.infer<S> {
    const r = schema.safeParse(value);
    if (!r.success) {
      const first = r.error.issues[0];
      throw new SlskdError('malformed_response', `slskd ${path}: unexpected answer (${first ? `${first.path.join('.') || '(root)'}: ${first.message}` : 'invalid'})`, null, null, { cause: r.error });
    }
    return r.data;
  }

  /** The application state: the probe (the key works, slskd runs, and whether it is logged in to Soulseek). */
  async application(signal?: AbortSignal): Promise<SlskdApplication> {
    const path = '/api/v0/application';
    return this.#parse(applicationSchema, await this.#call(path, signal ? { signal } : {}), path);
  }

  /** Starts a search; slskd answers with the new Search record. */
  async startSearch(searchText: string, o: { id?: string; searchTimeoutSec?: number; signal?: AbortSignal } = {}): Promise<SlskdSearch> {
    const path = '/api/v0/searches';
    const body = { id: o.id ?? randomUUID(), searchText, ...(o.searchTimeoutSec ? { searchTimeout: o.searchTimeoutSec } : {}) };
    return this.#parse(searchSchema, await this.#call(path, { method: 'POST', body, ...(o.signal ? { signal: o.signal } : {}) }), path);
  }

  async getSearch(id: string, signal?: AbortSignal): Promise<SlskdSearch> {
    const path = `/api/v0/searches/${encodeURIComponent(id)}`;
    return this.#parse(searchSchema, await this.#call(path, signal ? { signal } : {}), path);
  }

  async searchResponses(id: string, signal?: AbortSignal): Promise<SoulseekResponse[]> {
    const path = `/api/v0/searches/${encodeURIComponent(id)}/responses`;
    const list = this.#parse(z.array(responseSchema), await this.#call(path, signal ? { signal } : {}), path);
    return list.map((r) => ({ ...r, lockedFiles: r.lockedFiles ?? [] }));
  }

  /** Stops a running search (PUT); a search already gone is fine. */
  async stopSearch(id: string, signal?: AbortSignal): Promise<void> {
    await this.#call(`/api/v0/searches/${encodeURIComponent(id)}`, { method: 'PUT', nullOn: [404], ...(signal ? { signal } : {}) });
  }

  /**
   * Searches the network: starts the search, polls it until slskd says it is complete or the
   * deadline passes (then stops it), and returns the responses received.
   */
  async search(text: string, o: { deadlineMs?: number; searchTimeoutSec?: number; signal?: AbortSignal } = {}): Promise<SearchResult> {
    const sig = o.signal ? { signal: o.signal } : {};
    const deadline = this.#o.now() + (o.deadlineMs ?? this.#o.searchDeadlineMs);
    let search = await this.startSearch(text, { ...sig, ...(o.searchTimeoutSec ? { searchTimeoutSec: o.searchTimeoutSec } : {}) });
    let complete = search.isComplete;
    while (!complete) {
      if (this.#o.now() >= deadline) {
        await this.stopSearch(search.id, o.signal);
        break;
      }
      await this.#sleep(Math.min(this.#o.pollMs, Math.max(0, deadline - this.#o.now())), o.signal);
      search = await this.getSearch(search.id, o.signal);
      complete = search.isComplete;
    }
    const responses = await this.searchResponses(search.id, o.signal);
    return { search, responses, complete };
  }

  /** Queues files of one user for download; slskd answers 201 with what it enqueued and what failed. */
  async enqueue(username: string, files: readonly { filename: string; size: number }[], signal?: AbortSignal): Promise<EnqueueResult> {
    const path = `/api/v0/transfers/downloads/${encodeURIComponent(username)}`;
    const body = files.map((f) => ({ filename: f.filename, size: f.size }));
    const answer = await this.#call(path, { method: 'POST', body, ...(signal ? { signal } : {}) });
    if (answer === undefined) return { enqueued: [], failed: [] }; // older slskd: 201 without a body
    const r = this.#parse(enqueueSchema, answer, path);
    return { enqueued: r.enqueued ?? [], failed: r.failed ?? [] };
  }

  /**
   * Cancels a download (`DELETE /api/v0/transfers/downloads/{username}/{id}`): slskd stops it and
   * marks it "Completed, Cancelled"; `remove` also drops it from the list. A transfer slskd no
   * longer knows (404) counts as cancelled.
   */
  async cancelDownload(username: string, id: string, o: { remove?: boolean; signal?: AbortSignal } = {}): Promise<void> {
    const path = `/api/v0/transfers/downloads/${encodeURIComponent(username)}/${encodeURIComponent(id)}${o.remove ? '?remove=true' : ''}`;
    await this.#call(path, { method: 'DELETE', nullOn: [404], ...(o.signal ? { signal: o.signal } : {}) });
  }

  /** Every download slskd keeps for `username` (empty when it has none: slskd answers 404). */
  async downloads(username: string, signal?: AbortSignal): Promise<SlskdTransferRecord[]> {
    const path = `/api/v0/transfers/downloads/${encodeURIComponent(username)}`;
    const answer = await this.#call(path, { nullOn: [404], ...(signal ? { signal } : {}) });
    if (answer === null) return [];
    return this.#parse(userTransfersSchema, answer, path).directories.flatMap((d) => d.files);
  }

  /**
   * The download of `filename` from `username`; null when slskd does not know it. With several
   * (an earlier attempt), the given id, else the most recently requested one.
   */
  async transfer(username: string, filename: string, o: { id?: string; signal?: AbortSignal } = {}): Promise<TransferSnapshot | null> {
    return pickTransfer(await this.downloads(username, o.signal), filename, o.id);
  }

  /**
   * Follows a download until it ends: yields a snapshot per poll (state, bytes, speed) and
   * returns after the terminal one (outcome.done). A transfer slskd no longer knows fails with
   * not_found after `missingPolls` polls (default 3); `deadlineMs` bounds the whole wait (timeout).
   */
  async *waitForTransfer(
    username: string,
    filename: string,
    o: { id?: string; signal?: AbortSignal; deadlineMs?: number; missingPolls?: number } = {},
  ): AsyncGenerator<TransferSnapshot, TransferSnapshot> {
    const deadline = o.deadlineMs != null ? this.#o.now() + o.deadlineMs : Infinity;
    let missing = 0;
    for (;;) {
      const snap = await this.transfer(username, filename, { ...(o.id ? { id: o.id } : {}), ...(o.signal ? { signal: o.signal } : {}) });
      if (snap) {
        missing = 0;
        yield snap;
        if (snap.outcome.done) return snap;
      } else if (++missing >= (o.missingPolls ?? 3)) {
        throw new SlskdError('not_found', `slskd has no download of ${filename} from ${username}`, 404);
      }
      if (this.#o.now() >= deadline) throw new SlskdError('timeout', `download of ${filename} from ${username} not finished within ${o.deadlineMs} ms`);
      await this.#sleep(this.#o.pollMs, o.signal);
    }
  }

  async #sleep(ms: number, signal?: AbortSignal): Promise<void> {
    try {
      await this.#o.sleep(ms, signal);
    } catch (err) {
      throw new SlskdError('aborted', 'aborted', null, null, { cause: err });
    }
  }
}

/**
 * Among a user's downloads (SlskdClient.downloads), the one of `filename`: with several (an
 * earlier attempt), the one with `id`, else the most recently requested; null when none.
 */
export function pickTransfer(records: readonly SlskdTransferRecord[], filename: string, id?: string | null): TransferSnapshot | null {
  const all = records.filter((t) => t.filename === filename);
  const byId = id ? all.find((t) => t.id === id) : undefined;
  const latest = byId ?? all.sort((a, b) => (a.requestedAt ?? '').localeCompare(b.requestedAt ?? '')).at(-1);
  return latest ? snapshot(latest) : null;
}

function snapshot(t: SlskdTransferRecord): TransferSnapshot {
  return {
    id: t.id,
    username: t.username,
    filename: t.filename,
    state: t.state,
    bytesTransferred: t.bytesTransferred,
    size: t.size,
    averageSpeed: t.averageSpeed,
    percentComplete: t.percentComplete ?? (t.size > 0 ? (t.bytesTransferred / t.size) * 100 : 0),
    placeInQueue: t.placeInQueue ?? null,
    exception: t.exception ?? null,
    outcome: transferOutcome(t.state, t.exception),
  };
}
