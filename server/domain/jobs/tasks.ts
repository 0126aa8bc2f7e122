import path from 'node:path';
import { z } from 'zod';
import { isAudioFile, formatOf } from '../library/audio-files.js';
import type { DuplicateGroup } from '../library/duplicates.js';
import type { JobType } from './types.js';

/**
 * Typed tasks (seed background-task-worker): a job type that runs one piece of work with
 * validated parameters and ends with a typed result (or an error), with start / end time.
 * Their job types run a single `task` stage (catalog.ts); server/tasks/ holds the handlers.
 */
export const TASK_TYPES = ['library_scan', 'find_duplicates'] as const satisfies readonly JobType[];
export type TaskType = (typeof TASK_TYPES)[number];

export const isTaskType = (s: string): s is TaskType => (TASK_TYPES as readonly string[]).includes(s);

// ---- parameters ----------------------------------------------------------------------------

export interface LibraryScanParams {
  /** A folder inside the library, relative to it and normalised; null scans the whole library. */
  readonly folder: string | null;
  /** Read each audio file's tags (finds tracks missing artist or title, and unreadable files). */
  readonly readTags: boolean;
}

export interface FindDuplicatesParams {
  /** Also hash file contents (finds identical copies whatever their tags). */
  readonly byContent: boolean;
}

export interface TaskParams {
  readonly library_scan: LibraryScanParams;
  readonly find_duplicates: FindDuplicatesParams;
}

export type FolderCheck = { readonly ok: true; readonly folder: string | null } | { readonly ok: false; readonly message: string };

/**
 * A folder given relative to the library, normalised ("a/./b/" → "a/b"; "", "." → the whole
 * library). Absolute paths and ".." that lead out of the library are refused: a task never
 * reads outside it.
 */
export function libraryFolder(raw: string): FolderCheck {
  if (raw.includes('\0')) return { ok: false, message: 'folder must not contain NUL characters' };
  if (path.posix.isAbsolute(raw) || path.win32.isAbsolute(raw)) {
    return { ok: false, message: `folder must be relative to the library, not an absolute path (got "${raw}")` };
  }
  const normalised = path.posix.normalize(raw === '' ? '.' : raw).replace(/\/+$/, '');
  if (normalised === '..' || normalised.startsWith('../')) {
    return { ok: false, message: `folder must stay inside the library ("${raw}" leads out of it)` };
  }
  return { ok: true, folder: normalised === '.' || normalised === '' ? null : normalised };
}

const folderSchema = z
  .string({ error: 'folder must be a path (text) relative to the library' })
  .transform((raw, ctx) => {
    const check = libraryFolder(raw);
    if (!check.ok) {
      ctx.addIssue({ code: 'custom', message: check.message });
      return z.NEVER;
    }
    return check.folder;
  });

const PARAM_SCHEMAS: { readonly [T in TaskType]: z.ZodType<TaskParams[T]> } = {
  library_scan: z.strictObject({
    folder: folderSchema.nullish().transform((f) => f ?? null),
    readTags: z.boolean({ error: 'readTags must be true or false' }).default(true),
  }),
  find_duplicates: z.strictObject({
    byContent: z.boolean({ error: 'byContent must be true or false' }).default(true),
  }),
};

/** The parameter names each task takes (for messages and clients). */
export const TASK_PARAM_NAMES: { readonly [T in TaskType]: readonly (keyof TaskParams[T])[] } = {
  library_scan: ['folder', 'readTags'],
  find_duplicates: ['byContent'],
};

export type ParamsCheck<T extends TaskType> =
  | { readonly ok: true; readonly params: TaskParams[T] }
  | { readonly ok: false; readonly field: string; readonly message: string };

/**
 * A task's parameters, validated and with defaults filled in; or the first problem, naming the
 * field. Nothing given (null / undefined) means every default.
 */
export function parseTaskParams<T extends TaskType>(taskType: T, raw: unknown): ParamsCheck<T> {
  const input = raw ?? {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { ok: false, field: 'params', message: `the parameters of ${taskType} must be an object` };
  }
  const parsed = PARAM_SCHEMAS[taskType].safeParse(input);
  if (parsed.success) return { ok: true, params: parsed.data };
  const issue = parsed.error.issues[0];
  if (issue?.code === 'unrecognized_keys') {
    const field = issue.keys[0] ?? 'params';
    return { ok: false, field, message: `${field} is not a parameter of ${taskType} (it takes ${TASK_PARAM_NAMES[taskType].join(', ')})` };
  }
  const field = issue?.path[0];
  return { ok: false, field: typeof field === 'string' ? field : 'params', message: issue?.message ?? 'invalid parameters' };
}

// ---- results -------------------------------------------------------------------------------

/** Files of one format (extension) under the scanned folder. */
export interface FormatTally {
  /** Lower case, without the dot; '' for files without an extension. */
  readonly format: string;
  readonly files: number;
  readonly bytes: number;
}

export interface LibraryScanResult {
  readonly folder: string | null;
  readonly readTags: boolean;
  readonly files: number;
  readonly audioFiles: number;
  readonly totalBytes: number;
  /** Most files first, then by name. */
  readonly formats: readonly FormatTally[];
  /** Audio files without an artist or a title tag; null when tags were not read. */
  readonly missingTags: number | null;
  /** Audio files whose tags could not be read; null when tags were not read. */
  readonly unreadableFiles: number | null;
}

/** Groups a find_duplicates result keeps for display; its counts cover all of them. */
export const MAX_DUPLICATE_GROUPS_KEPT = 100;

export interface FindDuplicatesResult {
  readonly byContent: boolean;
  readonly tracksScanned: number;
  /** Tracks whose tags could not be read (still compared by content). */
  readonly unreadable: number;
  readonly duplicateGroups: number;
  /** Files beyond the first of each group: what could be removed. */
  readonly duplicateFiles: number;
  readonly groups: readonly DuplicateGroup[];
}

export interface TaskResults {
  readonly library_scan: LibraryScanResult;
  readonly find_duplicates: FindDuplicatesResult;
}

/** A stored result with the task it came from (the API's union tells them apart by this). */
export type TaskResultView = { [T in TaskType]: { readonly taskType: T } & TaskResults[T] }[TaskType];

/** A scanned file: its path (relative or absolute) and size. */
export interface ScannedFile {
  readonly name: string;
  readonly size: number;
}

/** The library_scan result from the files found and, when tags were read, what the tags showed. */
export function libraryScanResult(
  params: LibraryScanParams,
  files: readonly ScannedFile[],
  tags: { readonly missingTags: number; readonly unreadableFiles: number } | null,
): LibraryScanResult {
  const byFormat = new Map<string, { files: number; bytes: number }>();
  let totalBytes = 0;
  let audioFiles = 0;
  for (const f of files) {
    totalBytes += f.size;
    if (isAudioFile(f.name)) audioFiles += 1;
    const format = formatOf(f.name);
    const tally = byFormat.get(format) ?? { files: 0, bytes: 0 };
    tally.files += 1;
    tally.bytes += f.size;
    byFormat.set(format, tally);
  }
  const formats = [...byFormat]
    .map(([format, t]) => ({ format, files: t.files, bytes: t.bytes }))
    .sort((a, b) => b.files - a.files || (a.format < b.format ? -1 : a.format > b.format ? 1 : 0));
  return {
    folder: params.folder,
    readTags: params.readTags,
    files: files.length,
    audioFiles,
    totalBytes,
    formats,
    missingTags: tags ? tags.missingTags : null,
    unreadableFiles: tags ? tags.unreadableFiles : null,
  };
}

const count = z.number().int().nonnegative();
const RESULT_SCHEMAS: { readonly [T in TaskType]: z.ZodType<TaskResults[T]> } = {
  library_scan: z.object({
    folder: z.string().nullable(),
    readTags: z.boolean(),
    files: count,
    audioFiles: count,
    totalBytes: count,
    formats: z.array(z.object({ format: z.string(), files: count, bytes: count })),
    missingTags: count.nullable(),
    unreadableFiles: count.nullable(),
  }),
  find_duplicates: z.object({
    byContent: z.boolean(),
    tracksScanned: count,
    unreadable: count,
    duplicateGroups: count,
    duplicateFiles: count,
    groups: z.array(z.object({ method: z.enum(['metadata', 'content']), hash: z.string(), paths: z.array(z.string()) })),
  }),
};

/** A job's stored result read back as its task's typed result; null for other jobs, no result yet, or a shape this version does not know. */
export function taskResultOf(jobType: JobType, raw: unknown): TaskResultView | null {
  if (!isTaskType(jobType) || raw == null) return null;
  const parsed = RESULT_SCHEMAS[jobType].safeParse(raw);
  return parsed.success ? ({ taskType: jobType, ...parsed.data } as TaskResultView) : null;
}

/** Stored parameters with the task they belong to. */
export type TaskParamsView = { [T in TaskType]: { readonly taskType: T } & TaskParams[T] }[TaskType];

/** A job's stored parameters read back as its task's typed parameters; null for other jobs or a shape this version does not know. */
export function taskParamsOf(jobType: JobType, raw: unknown): TaskParamsView | null {
  if (!isTaskType(jobType)) return null;
  const parsed = parseTaskParams(jobType, raw);
  return parsed.ok ? ({ taskType: jobType, ...parsed.params } as TaskParamsView) : null;
}
