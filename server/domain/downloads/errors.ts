/**
 * Why a download failed, as codes the job runner stores on the item and the retry rules read.
 * Pure: no I/O, so the runner, GraphQL and tests share one vocabulary.
 */
export const DOWNLOAD_ERROR_CODES = [
  /** 404 or 410: the source is gone; asking again will not bring it back. */
  'file_not_found',
  /** Any other 4xx / 5xx answer (the status is on the error). */
  'http_error',
  /** Connection refused, reset or cut mid-body, a timeout: the .part file is kept for a resume. */
  'network_error',
  /** The bytes do not hash to the expected digest: the .part file is removed. */
  'checksum_mismatch',
  /** More or fewer bytes than the server or the caller announced: the .part file is removed. */
  'size_mismatch',
  /** ENOSPC / EDQUOT while writing, or too little free space before starting. */
  'disk_full',
  /** The caller's signal (pause, cancel, shutdown): the .part file is kept for a resume. */
  'aborted',
  /** Nothing to fetch from: the song is only known by a service id (a Spotify track) and no search backend found a file. */
  'no_source',
] as const;
export type DownloadErrorCode = (typeof DOWNLOAD_ERROR_CODES)[number];

/** HTTP statuses worth asking again for: timeouts, throttling and server trouble. */
const RETRYABLE_STATUSES = new Set([408, 425, 429]);

/**
 * Whether trying the same download later may succeed. file_not_found never will; an http_error
 * only for 408 / 425 / 429 / 5xx (a 401 or 403 stays one until someone changes a setting).
 * A checksum or size mismatch is retried because the next attempt starts from a clean file.
 */
export function isRetryableDownloadError(code: DownloadErrorCode, httpStatus?: number | null): boolean {
  switch (code) {
    case 'file_not_found':
    case 'no_source':
      return false;
    case 'http_error':
      return httpStatus == null || httpStatus >= 500 || RETRYABLE_STATUSES.has(httpStatus);
    default:
      return true;
  }
}

/** The code an HTTP status maps to; null for a success or a redirect. */
export function codeForHttpStatus(status: number): DownloadErrorCode | null {
  if (status === 404 || status === 410) return 'file_not_found';
  return status >= 400 ? 'http_error' : null;
}

/** Errno codes that mean "no room": ENOSPC (device full) and EDQUOT (quota exceeded). */
export function isDiskFullErrno(code: string | undefined): boolean {
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** A download failure with its code; `httpStatus` for http_error / file_not_found. */
export class DownloadError extends Error {
  override name = 'DownloadError';
  readonly retryable: boolean;
  constructor(
    readonly code: DownloadErrorCode,
    message: string,
    readonly httpStatus: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.retryable = isRetryableDownloadError(code, httpStatus);
  }
}
