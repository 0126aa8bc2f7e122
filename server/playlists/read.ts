import fs from 'node:fs/promises';
import path from 'node:path';
import { PLAYLIST_EXTENSIONS } from '../domain/playlists/types.js';
import { walkFiles } from '../integrations/file-walk.js';
import type { PlaylistSourceKind } from '../db/entities/library.entity.js';

/** Larger playlist files than this are refused (a playlist of 100,000 lines is a few MB). */
export const MAX_PLAYLIST_BYTES = 16 * 1024 * 1024;
/** How long reading a playlist URL may take. */
const URL_TIMEOUT_MS = 15_000;

/** Why a playlist file could not be read; the code is the item's error code (file_not_found is never retried). */
export class ReadError extends Error {
  override name = 'ReadError';
  constructor(
    message: string,
    readonly code: 'file_not_found' | 'invalid_file' | 'network_error',
  ) {
    super(message);
  }
}


/**
 * The playlist files a source has now: the file or URL itself, or every playlist file under a
 * folder (by extension, in path order). A file that cannot be read is a failure of its own.
 */
export async function listSourceFiles(kind: PlaylistSourceKind, location: string, signal?: AbortSignal): Promise<string[]> {
  if (kind !== 'folder') return [location];
  const st = await fs.stat(location).catch(() => null);
  if (!st?.isDirectory()) throw new ReadError(`${location}: no such folder`, 'file_not_found');
  const found: string[] = [];
  for await (const f of walkFiles(location, signal)) {
    if (PLAYLIST_EXTENSIONS.includes(path.extname(f.path).toLowerCase())) found.push(f.path);
  }
  return found.sort();
}

/** Reads a playlist file or URL as text (UTF-8, or Latin-1 when it is not valid UTF-8, as older M3U files are). */
export async function readPlaylistText(location: string, signal?: AbortSignal): Promise<string> {
  const bytes = /^https?:\/\//i.test(location) ? await fetchBytes(location, signal) : await readFileBytes(location);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

async function readFileBytes(file: string): Promise<Uint8Array> {
  try {
    const st = await fs.stat(file);
    if (!st.isFile()) throw new ReadError(`${file}: not a file`, 'invalid_file');
    if (st.size > MAX_PLAYLIST_BYTES) throw new ReadError(`${file}: larger than ${MAX_PLAYLIST_BYTES} bytes`, 'invalid_file');
    return await fs.readFile(file);
  } catch (err) {
    if (err instanceof ReadError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ReadError(`${file}: no such file`, 'file_not_found');
    throw new ReadError(`${file}: ${(err as Error).message}`, 'invalid_file');
  }
}

async function fetchBytes(url: string, signal?: AbortSignal): Promise<Uint8Array> {
  const timeout = AbortSignal.timeout(URL_TIMEOUT_MS);
  let res: Response;
  try {
    res = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout, redirect: 'follow' });
  } catch (err) {
    throw new ReadError(`${url}: ${timeout.aborted ? `no answer within ${URL_TIMEOUT_MS / 1000} s` : (err as Error).message}`, 'network_error');
  }
  if (res.status === 404 || res.status === 410) throw new ReadError(`${url}: HTTP ${res.status}`, 'file_not_found');
  if (!res.ok || !res.body) throw new ReadError(`${url}: HTTP ${res.status}`, res.status >= 500 ? 'network_error' : 'invalid_file');
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body) {
      size += chunk.byteLength;
      if (size > MAX_PLAYLIST_BYTES) throw new ReadError(`${url}: larger than ${MAX_PLAYLIST_BYTES} bytes`, 'invalid_file');
      chunks.push(chunk);
    }
  } catch (err) {
    if (err instanceof ReadError) throw err;
    throw new ReadError(`${url}: ${(err as Error).message}`, 'network_error');
  }
  return Buffer.concat(chunks);
}
