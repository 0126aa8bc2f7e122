import { describe, expect, it } from 'vitest';
import { elapsedMs } from '../../../server/domain/jobs/progress.js';
import {
  isTaskType,
  libraryFolder,
  libraryScanResult,
  parseTaskParams,
  TASK_TYPES,
  taskParamsOf,
  taskResultOf,
} from '../../../server/domain/jobs/tasks.js';
import { isRetryable } from '../../../server/domain/jobs/retry.js';
import { formatOf, isAudioFile, isMissingTags } from '../../../server/domain/library/audio-files.js';

describe('task parameters', () => {
  it('fills in the defaults when nothing is given', () => {
    expect(parseTaskParams('library_scan', undefined)).toEqual({ ok: true, params: { folder: null, readTags: true } });
    expect(parseTaskParams('library_scan', null)).toEqual({ ok: true, params: { folder: null, readTags: true } });
    expect(parseTaskParams('library_scan', {})).toEqual({ ok: true, params: { folder: null, readTags: true } });
    expect(parseTaskParams('find_duplicates', {})).toEqual({ ok: true, params: { byContent: true } });
  });

  it('keeps what is given, with the folder normalised', () => {
    expect(parseTaskParams('library_scan', { folder: 'Portishead/./Dummy/', readTags: false })).toEqual({
      ok: true,
      params: { folder: 'Portishead/Dummy', readTags: false },
    });
    expect(parseTaskParams('library_scan', { folder: 'a/b/../c' })).toMatchObject({ ok: true, params: { folder: 'a/c' } });
    expect(parseTaskParams('library_scan', { folder: 'a/..' })).toMatchObject({ ok: true, params: { folder: null } });
    expect(parseTaskParams('library_scan', { folder: '' })).toMatchObject({ ok: true, params: { folder: null } });
    expect(parseTaskParams('library_scan', { folder: null })).toMatchObject({ ok: true, params: { folder: null } });
    expect(parseTaskParams('library_scan', { folder: '..hidden/x' })).toMatchObject({ ok: true, params: { folder: '..hidden/x' } });
    expect(parseTaskParams('find_duplicates', { byContent: false })).toEqual({ ok: true, params: { byContent: false } });
  });

  it('refuses a folder that leads out of the library, naming the field', () => {
    for (const folder of ['..', '../music', 'a/../../etc', './../x']) {
      const r = parseTaskParams('library_scan', { folder });
      expect(r, folder).toMatchObject({ ok: false, field: 'folder' });
      expect(r.ok ? '' : r.message).toMatch(/must stay inside the library/);
    }
    const abs = parseTaskParams('library_scan', { folder: '/etc' });
    expect(abs).toMatchObject({ ok: false, field: 'folder' });
    expect(abs.ok ? '' : abs.message).toMatch(/relative to the library, not an absolute path/);
    expect(parseTaskParams('library_scan', { folder: 'C:\\Music' })).toMatchObject({ ok: false, field: 'folder' });
    expect(parseTaskParams('library_scan', { folder: 'a\0b' })).toMatchObject({ ok: false, field: 'folder' });
  });

  it('refuses values of the wrong type, naming the field', () => {
    expect(parseTaskParams('library_scan', { readTags: 'yes' })).toEqual({ ok: false, field: 'readTags', message: 'readTags must be true or false' });
    expect(parseTaskParams('library_scan', { folder: 42 })).toMatchObject({ ok: false, field: 'folder', message: expect.stringMatching(/^folder must be a path/) });
    expect(parseTaskParams('find_duplicates', { byContent: 1 })).toEqual({ ok: false, field: 'byContent', message: 'byContent must be true or false' });
  });

  it('refuses parameters the task does not take, and parameters that are not an object', () => {
    expect(parseTaskParams('library_scan', { byContent: true })).toEqual({
      ok: false,
      field: 'byContent',
      message: 'byContent is not a parameter of library_scan (it takes folder, readTags)',
    });
    expect(parseTaskParams('find_duplicates', { folder: 'x' })).toMatchObject({ ok: false, field: 'folder' });
    expect(parseTaskParams('find_duplicates', 'byContent')).toMatchObject({ ok: false, field: 'params' });
    expect(parseTaskParams('find_duplicates', [true])).toMatchObject({ ok: false, field: 'params' });
  });

  it('normalises folders as a pure rule', () => {
    expect(libraryFolder('.')).toEqual({ ok: true, folder: null });
    expect(libraryFolder('x//y')).toEqual({ ok: true, folder: 'x/y' });
    expect(libraryFolder('x/../..')).toMatchObject({ ok: false });
  });
});

describe('task types', () => {
  it('are the two library tasks, and job types', () => {
    expect(TASK_TYPES).toEqual(['library_scan', 'find_duplicates']);
    expect(isTaskType('library_scan')).toBe(true);
    expect(isTaskType('find_duplicates')).toBe(true);
    expect(isTaskType('sync_only')).toBe(false);
    expect(isTaskType('transcription')).toBe(false);
  });

  it('never retries a task whose parameters cannot work or whose folder is missing', () => {
    expect(isRetryable('invalid_params')).toBe(false);
    expect(isRetryable('file_not_found')).toBe(false);
  });
});

describe('library scan result', () => {
  it('counts files, audio files, bytes and formats (most files first, then by name)', () => {
    const r = libraryScanResult(
      { folder: 'A', readTags: true },
      [
        { name: '/lib/A/1.flac', size: 100 },
        { name: '/lib/A/2.FLAC', size: 200 },
        { name: '/lib/A/cover.jpg', size: 10 },
        { name: '/lib/A/3.mp3', size: 50 },
        { name: '/lib/A/README', size: 1 },
        { name: '/lib/A/.hidden', size: 2 },
      ],
      { missingTags: 1, unreadableFiles: 0 },
    );
    expect(r).toEqual({
      folder: 'A',
      readTags: true,
      files: 6,
      audioFiles: 3,
      totalBytes: 363,
      formats: [
        { format: '', files: 2, bytes: 3 },
        { format: 'flac', files: 2, bytes: 300 },
        { format: 'jpg', files: 1, bytes: 10 },
        { format: 'mp3', files: 1, bytes: 50 },
      ],
      missingTags: 1,
      unreadableFiles: 0,
    });
  });

  it('has no tag counts when tags were not read, and zeros for an empty folder', () => {
    expect(libraryScanResult({ folder: null, readTags: false }, [], null)).toEqual({
      folder: null,
      readTags: false,
      files: 0,
      audioFiles: 0,
      totalBytes: 0,
      formats: [],
      missingTags: null,
      unreadableFiles: null,
    });
  });

  it('tells audio files and missing tags apart', () => {
    expect(['a.wav', 'b.Mp3', 'c.opus'].map(isAudioFile)).toEqual([true, true, true]);
    expect(['a.jpg', 'mp3', 'dir.flac/readme', '.flac'].map(isAudioFile)).toEqual([false, false, false, false]);
    expect(formatOf('dir.d/file')).toBe('');
    expect(isMissingTags({ artist: 'A', title: 'T', durationSeconds: null })).toBe(false);
    expect(isMissingTags({ artist: null, title: 'T', durationSeconds: null })).toBe(true);
    expect(isMissingTags({ artist: 'A', title: '  ', durationSeconds: null })).toBe(true);
  });
});

describe('stored task values', () => {
  const scan = { folder: null, readTags: true, files: 1, audioFiles: 1, totalBytes: 9, formats: [{ format: 'wav', files: 1, bytes: 9 }], missingTags: 0, unreadableFiles: 0 };

  it('reads a stored result back as its task type', () => {
    expect(taskResultOf('library_scan', scan)).toEqual({ taskType: 'library_scan', ...scan });
    const dupes = { byContent: false, tracksScanned: 2, unreadable: 0, duplicateGroups: 1, duplicateFiles: 1, groups: [{ method: 'metadata', hash: 'h', paths: ['a', 'b'] }] };
    expect(taskResultOf('find_duplicates', dupes)).toEqual({ taskType: 'find_duplicates', ...dupes });
  });

  it('has no result for other jobs, before the end, or in a shape it does not know', () => {
    expect(taskResultOf('sync_only', scan)).toBeNull();
    expect(taskResultOf('library_scan', null)).toBeNull();
    expect(taskResultOf('library_scan', { files: 'many' })).toBeNull();
    expect(taskResultOf('find_duplicates', scan)).toBeNull();
  });

  it('reads stored parameters back with their task type', () => {
    expect(taskParamsOf('library_scan', { folder: 'A', readTags: false })).toEqual({ taskType: 'library_scan', folder: 'A', readTags: false });
    expect(taskParamsOf('find_duplicates', null)).toEqual({ taskType: 'find_duplicates', byContent: true });
    expect(taskParamsOf('download_only', {})).toBeNull();
  });
});

describe('job duration', () => {
  it('is end minus start, null until both are known', () => {
    const start = new Date('2026-11-23T10:00:00Z');
    expect(elapsedMs(start, new Date('2026-11-23T10:00:01.250Z'))).toBe(1250);
    expect(elapsedMs(start, null)).toBeNull();
    expect(elapsedMs(null, start)).toBeNull();
    expect(elapsedMs(start, start)).toBe(0);
  });
});
