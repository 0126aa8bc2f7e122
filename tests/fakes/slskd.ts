/**
 * A fake slskd for tests: a node:http server on 127.0.0.1:0 with the paths, status codes and
 * JSON shapes of slskd's API v0 (repository slskd/slskd):
 *
 * - GET /api/v0/application (src/slskd/Core/API/Controllers/ApplicationController.cs, Core/State.cs)
 * - POST /api/v0/searches, GET /api/v0/searches[?offset&limit] (X-Total-Count), GET/PUT
 *   /api/v0/searches/{id}, GET /api/v0/searches/{id}/responses
 *   (src/slskd/Search/API/Controllers/SearchesController.cs, Search/Types/{Search,Response,File}.cs)
 * - POST/GET /api/v0/transfers/downloads/{username}, DELETE /api/v0/transfers/downloads/{username}/{id}[?remove=true]
 *   (src/slskd/Transfers/API/Controllers/TransfersController.cs, Transfers/Types/Transfer.cs)
 *
 * Every route needs the `X-API-Key` header (src/slskd/Common/Authentication/ApiKeyAuthentication.cs):
 * 401 with an empty body without it or with a wrong key, as ASP.NET answers. The switches below
 * make it answer 403 / 429 / 5xx, send a malformed body, or answer slowly. Searches finish after
 * a number of polls; a download advances one step per GET: Queued, Remotely → InProgress (bytes
 * growing) → Completed, Succeeded (or the scripted failure).
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type http from 'node:http';
import { FakeServer } from './fake-server.js';

export interface FakeFile {
  filename: string;
  size: number;
  bitRate?: number;
  bitDepth?: number;
  sampleRate?: number;
  length?: number;
  extension?: string;
  isLocked?: boolean;
}

export interface FakeResponse {
  username: string;
  hasFreeUploadSlot: boolean;
  queueLength: number;
  uploadSpeed: number;
  files: FakeFile[];
}

/** How one download goes: polls spent queued, polls in progress, then the end state. */
export interface TransferScript {
  queuedPolls: number;
  progressPolls: number;
  end: 'Completed, Succeeded' | 'Completed, Rejected' | 'Completed, Errored' | 'Completed, TimedOut' | 'Completed, Cancelled';
  /** slskd's `exception` text for a failed end ("File not shared.", "Banned", …). */
  exception?: string;
}

/** A scripted misbehaviour for matching requests; `times` answers then it is used up (default: always). */
export interface Fault {
  kind: 'status' | 'malformed' | 'slow';
  /** Method and path as "GET /api/v0/application"; a RegExp or undefined (every request). */
  match?: RegExp;
  status?: number;
  /** For status 429: the Retry-After header value. */
  retryAfter?: string;
  /** Body of the status answer (slskd sends plain text such as "Only one concurrent operation is permitted…"). */
  body?: string;
  /** For slow: milliseconds before the answer. */
  delayMs?: number;
  times?: number;
}

interface SearchRecord {
  id: string;
  searchText: string;
  token: number;
  startedAt: string;
  endedAt: string | null;
  state: string;
  polls: number;
  responses: FakeResponse[];
}

interface TransferRecord {
  id: string;
  username: string;
  filename: string;
  size: number;
  state: string;
  requestedAt: string;
  enqueuedAt: string | null;
  startedAt: string | null;
  endedAt: string | null;
  bytesTransferred: number;
  averageSpeed: number;
  placeInQueue: number | null;
  exception: string | null;
  script: TransferScript;
  polls: number;
}

export interface LoggedRequest {
  method: string;
  path: string;
  apiKey: string | undefined;
  body: unknown;
}

export class FakeSlskd extends FakeServer {
  apiKey = 'test-api-key';
  /** What a search for a text finds (every search the same by default). */
  results: (searchText: string) => FakeResponse[] = () => [];
  /** GETs of a search before it is complete. */
  searchPolls = 2;
  /** How the next enqueued downloads go. */
  transferScript: TransferScript = { queuedPolls: 1, progressPolls: 3, end: 'Completed, Succeeded' };
  faults: Fault[] = [];
  /** Called when a download succeeds (tests write the file slskd would have written). */
  onDownloaded: ((t: { username: string; filename: string; size: number }) => void) | null = null;
  readonly requests: LoggedRequest[] = [];
  readonly searches = new Map<string, SearchRecord>();
  readonly transfers: TransferRecord[] = [];
  #token = 1000;


  /**
   * Finished downloads become files as slskd writes them, `<dir>/<the peer's folder>/<file name>`,
   * before the transfer reads as succeeded; `bytesOf` gives each remote file's content.
   */
  saveDownloadsTo(dir: string, bytesOf: (remoteFilename: string) => Buffer): void {
    this.onDownloaded = (d) => {
      const parts = d.filename.split('\\');
      const file = path.join(dir, parts.at(-2) ?? '', parts.at(-1) ?? d.filename);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, bytesOf(d.filename));
    };
  }

  /** Back to a clean state between tests (keeps the port). */
  reset(): void {
    this.apiKey = 'test-api-key';
    this.results = () => [];
    this.searchPolls = 2;
    this.transferScript = { queuedPolls: 1, progressPolls: 3, end: 'Completed, Succeeded' };
    this.faults = [];
    this.onDownloaded = null;
    this.requests.length = 0;
    this.searches.clear();
    this.transfers.length = 0;
  }

  /** Requests to a path (method and path, e.g. "POST /api/v0/searches"). */
  count(match: RegExp): number {
    return this.requests.filter((r) => match.test(`${r.method} ${r.path}`)).length;
  }

  protected override async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    let body: unknown = undefined;
    try {
      body = raw ? (JSON.parse(raw) as unknown) : undefined;
    } catch {
      body = raw;
    }
    const url = new URL(req.url ?? '/', 'http://fake');
    const method = req.method ?? 'GET';
    const key = req.headers['x-api-key'];
    const apiKey = Array.isArray(key) ? key[0] : key;
    this.requests.push({ method, path: url.pathname, apiKey, body });

    if (apiKey !== this.apiKey) return void res.writeHead(401, { 'www-authenticate': 'API Key' }).end();

    const fault = this.#fault(`${method} ${url.pathname}`);
    if (fault?.kind === 'slow') await new Promise((r) => setTimeout(r, fault.delayMs ?? 1000));
    if (res.destroyed) return; // the client gave up (a timeout test); req is always destroyed once read
    if (fault?.kind === 'status') {
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain; charset=utf-8' };
      if (fault.retryAfter !== undefined) headers['retry-after'] = fault.retryAfter;
      return void res.writeHead(fault.status ?? 500, headers).end(fault.body ?? '');
    }
    const answer = this.#route(method, url, body);
    if (fault?.kind === 'malformed') return void res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8' }).end('{"id": "trunc');
    const headers: http.OutgoingHttpHeaders = { ...answer.headers };
    if (answer.json !== undefined) headers['content-type'] = 'application/json; charset=utf-8';
    res.writeHead(answer.status, headers).end(answer.json !== undefined ? JSON.stringify(answer.json) : (answer.text ?? ''));
  }

  #fault(route: string): Fault | undefined {
    const i = this.faults.findIndex((f) => !f.match || f.match.test(route));
    if (i < 0) return undefined;
    const f = this.faults[i]!;
    if (f.times !== undefined && --f.times <= 0) this.faults.splice(i, 1);
    return f;
  }

  #route(method: string, url: URL, body: unknown): { status: number; json?: unknown; text?: string; headers?: http.OutgoingHttpHeaders } {
    const p = url.pathname;
    let m: RegExpExecArray | null;
    if (method === 'GET' && p === '/api/v0/application') return { status: 200, json: this.#application() };
    if (p === '/api/v0/searches') {
      if (method === 'POST') return this.#startSearch(body);
      if (method === 'GET') {
        const all = [...this.searches.values()].map((s) => this.#searchJson(s, false));
        const offset = Number(url.searchParams.get('offset') ?? 0);
        const limit = url.searchParams.has('limit') ? Number(url.searchParams.get('limit')) : all.length;
        if (offset < 0) return { status: 400, text: 'Offset must be greater than or equal to zero' };
        if (limit <= 0) return { status: 400, text: 'Limit must be greater than zero' };
        return { status: 200, json: all.slice(offset, offset + limit), headers: { 'x-total-count': String(all.length) } };
      }
    }
    if ((m = /^\/api\/v0\/searches\/([^/]+)(\/responses)?$/.exec(p))) {
      const s = this.searches.get(decodeURIComponent(m[1]!));
      if (!s) return { status: 404 };
      if (m[2]) return method === 'GET' ? { status: 200, json: s.responses.map(responseJson) } : { status: 405 };
      if (method === 'GET') {
        this.#advanceSearch(s);
        return { status: 200, json: this.#searchJson(s, url.searchParams.get('includeResponses') === 'true') };
      }
      if (method === 'PUT') {
        if (!isComplete(s.state)) this.#finishSearch(s, 'Completed, Cancelled');
        return { status: 200 };
      }
    }
    if ((m = /^\/api\/v0\/transfers\/downloads\/([^/]+)\/([^/]+)$/.exec(p))) {
      if (method !== 'DELETE') return { status: 405 };
      const [username, id] = [decodeURIComponent(m[1]!), decodeURIComponent(m[2]!)];
      const t = this.transfers.find((x) => x.username === username && x.id === id);
      if (!t) return { status: 404 };
      if (!isComplete(t.state)) {
        t.state = 'Completed, Cancelled';
        t.endedAt = new Date().toISOString();
      }
      if (url.searchParams.get('remove') === 'true') this.transfers.splice(this.transfers.indexOf(t), 1);
      return { status: 204 };
    }
    if ((m = /^\/api\/v0\/transfers\/downloads\/([^/]+)$/.exec(p))) {
      const username = decodeURIComponent(m[1]!);
      if (method === 'POST') return this.#enqueue(username, body);
      if (method === 'GET') {
        const mine = this.transfers.filter((t) => t.username === username);
        if (mine.length === 0) return { status: 404 };
        for (const t of mine) {
          const was = t.state;
          advanceTransfer(t);
          // as slskd does: a finished download is a file in its downloads folder
          if (t.state !== was && t.state === 'Completed, Succeeded') this.onDownloaded?.({ username: t.username, filename: t.filename, size: t.size });
        }
        const dirs = new Map<string, TransferRecord[]>();
        for (const t of mine) {
          const dir = directoryName(t.filename);
          dirs.set(dir, [...(dirs.get(dir) ?? []), t]);
        }
        return {
          status: 200,
          json: { username, directories: [...dirs].map(([directory, files]) => ({ directory, fileCount: files.length, files: files.map(transferJson) })) },
        };
      }
    }
    return { status: 404 };
  }

  #application(): unknown {
    return {
      version: { full: '0.22.5.0+fake', current: '0.22.5', latest: null, isUpdateAvailable: null, isCanary: false, isDevelopment: false },
      pendingReconnect: false,
      pendingRestart: false,
      server: { address: 'vps.slsknet.org:2271', ipEndPoint: '208.76.170.59:2271', state: 'Connected, LoggedIn', isConnected: true, isLoggedIn: true, isTransitioning: false },
      user: { username: 'roadie', privileges: { isPrivileged: false, privilegesRemaining: 0 }, statistics: { averageSpeed: 0, directoryCount: 0, fileCount: 0, uploadCount: 0 } },
      shares: { scanPending: false, scanning: false, ready: true, faulted: false, cancelled: false, scanProgress: 1, directories: 0, files: 0 },
      rooms: [],
      users: [],
    };
  }

  #startSearch(body: unknown): { status: number; json?: unknown; text?: string } {
    const b = (body ?? {}) as { id?: unknown; searchText?: unknown };
    if (typeof b.searchText !== 'string' || b.searchText.trim() === '') return { status: 400, text: 'SearchText can not be null, empty, or consist of only whitespace' };
    const id = typeof b.id === 'string' ? b.id : randomUUID();
    if (this.searches.has(id)) return { status: 409, text: `A search with id ${id} already exists` };
    const s: SearchRecord = { id, searchText: b.searchText, token: this.#token++, startedAt: new Date().toISOString(), endedAt: null, state: 'InProgress', polls: 0, responses: [] };
    this.searches.set(id, s);
    if (this.searchPolls <= 0) this.#finishSearch(s, 'Completed, TimedOut');
    return { status: 200, json: this.#searchJson(s, false) };
  }

  #advanceSearch(s: SearchRecord): void {
    if (isComplete(s.state)) return;
    s.polls++;
    // responses arrive while the search runs: half of them half way
    const all = this.results(s.searchText);
    s.responses = s.polls >= this.searchPolls ? all : all.slice(0, Math.floor(all.length / 2));
    if (s.polls >= this.searchPolls) this.#finishSearch(s, 'Completed, TimedOut');
  }

  #finishSearch(s: SearchRecord, state: string): void {
    if (state !== 'Completed, Cancelled') s.responses = this.results(s.searchText);
    s.state = state;
    s.endedAt = new Date().toISOString();
  }

  #searchJson(s: SearchRecord, includeResponses: boolean): unknown {
    const files = s.responses.flatMap((r) => r.files);
    return {
      endedAt: s.endedAt,
      fileCount: files.filter((f) => !f.isLocked).length,
      id: s.id,
      isComplete: isComplete(s.state),
      lockedFileCount: files.filter((f) => f.isLocked).length,
      responseCount: s.responses.length,
      responses: includeResponses ? s.responses.map(responseJson) : [],
      searchText: s.searchText,
      startedAt: s.startedAt,
      state: s.state,
      token: s.token,
    };
  }

  #enqueue(username: string, body: unknown): { status: number; json?: unknown; text?: string } {
    if (!Array.isArray(body)) return { status: 400, text: 'The requests field is required.' };
    const enqueued: TransferRecord[] = [];
    const failed: unknown[] = [];
    for (const item of body as { filename?: unknown; size?: unknown }[]) {
      if (typeof item?.filename !== 'string') {
        failed.push({ filename: item?.filename ?? null, error: 'Filename is required' });
        continue;
      }
      const t: TransferRecord = {
        id: randomUUID(),
        username,
        filename: item.filename,
        size: typeof item.size === 'number' ? item.size : 0,
        state: 'Queued, Locally',
        requestedAt: new Date(Date.now() + this.transfers.length).toISOString(),
        enqueuedAt: null,
        startedAt: null,
        endedAt: null,
        bytesTransferred: 0,
        averageSpeed: 0,
        placeInQueue: null,
        exception: null,
        script: { ...this.transferScript },
        polls: 0,
      };
      this.transfers.push(t);
      enqueued.push(t);
    }
    return { status: 201, json: { enqueued: enqueued.map(transferJson), failed } };
  }
}

const isComplete = (state: string): boolean => state.startsWith('Completed');

function directoryName(filename: string): string {
  const i = filename.lastIndexOf('\\');
  return i < 0 ? '' : filename.slice(0, i);
}

function responseJson(r: FakeResponse): unknown {
  const open = r.files.filter((f) => !f.isLocked);
  const locked = r.files.filter((f) => f.isLocked);
  const fileJson = (f: FakeFile): unknown => ({
    bitDepth: f.bitDepth ?? null,
    bitRate: f.bitRate ?? null,
    code: 1,
    extension: f.extension ?? '',
    filename: f.filename,
    isVariableBitRate: null,
    length: f.length ?? null,
    sampleRate: f.sampleRate ?? null,
    size: f.size,
    isLocked: !!f.isLocked,
  });
  return {
    fileCount: open.length,
    files: open.map(fileJson),
    hasFreeUploadSlot: r.hasFreeUploadSlot,
    lockedFileCount: locked.length,
    lockedFiles: locked.map(fileJson),
    queueLength: r.queueLength,
    token: 1,
    uploadSpeed: r.uploadSpeed,
    username: r.username,
  };
}

/** One step of the script per GET. */
function advanceTransfer(t: TransferRecord): void {
  if (isComplete(t.state)) return;
  t.polls++;
  const s = t.script;
  const now = new Date().toISOString();
  if (t.polls <= s.queuedPolls) {
    t.state = 'Queued, Remotely';
    t.enqueuedAt ??= now;
    t.placeInQueue = s.queuedPolls - t.polls + 1;
    return;
  }
  t.placeInQueue = null;
  const step = t.polls - s.queuedPolls;
  if (step <= s.progressPolls) {
    // the peer refuses when it is asked to start: no bytes flow
    if (s.end === 'Completed, Rejected') return finishTransfer(t, now);
    t.state = 'InProgress';
    t.startedAt ??= now;
    t.bytesTransferred = Math.floor((t.size * step) / (s.progressPolls + 1));
    t.averageSpeed = 250_000 + step * 50_000;
    return;
  }
  finishTransfer(t, now);
}

function finishTransfer(t: TransferRecord, now: string): void {
  t.state = t.script.end;
  t.endedAt = now;
  if (t.script.end === 'Completed, Succeeded') t.bytesTransferred = t.size;
  else t.exception = t.script.exception ?? (t.script.end === 'Completed, Rejected' ? 'Transfer rejected: Banned' : 'Transfer failed: Remote connection closed');
}

function transferJson(t: TransferRecord): unknown {
  const elapsed = t.startedAt ? (t.endedAt ? Date.parse(t.endedAt) : Date.now()) - Date.parse(t.startedAt) : null;
  return {
    id: t.id,
    username: t.username,
    direction: 'Download',
    filename: t.filename,
    size: t.size,
    startOffset: 0,
    state: t.state,
    requestedAt: t.requestedAt,
    enqueuedAt: t.enqueuedAt,
    startedAt: t.startedAt,
    endedAt: t.endedAt,
    bytesTransferred: t.bytesTransferred,
    averageSpeed: t.averageSpeed,
    placeInQueue: t.placeInQueue,
    exception: t.exception,
    bytesRemaining: t.size - t.bytesTransferred,
    elapsedTime: elapsed === null ? null : `00:00:${String(Math.floor(elapsed / 1000) % 60).padStart(2, '0')}`,
    percentComplete: t.size === 0 ? 0 : (t.bytesTransferred / t.size) * 100,
    remainingTime: null,
  };
}
