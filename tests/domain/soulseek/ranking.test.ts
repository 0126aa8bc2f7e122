import { describe, expect, it } from 'vitest';
import { isRetryable } from '../../../server/domain/jobs/retry.js';
import {
  candidatesOf,
  effectiveBitRate,
  extensionOf,
  parseTransferState,
  rankCandidates,
  tokens,
  transferOutcome,
  type SoulseekFile,
  type SoulseekResponse,
  type WantedSong,
} from '../../../server/domain/soulseek/ranking.js';

const song: WantedSong = { title: 'Paranoid Android', artists: ['Radiohead'], album: 'OK Computer', durationSec: 387 };
const MB = 1_000_000;
const dir = 'Music\\Radiohead\\1997 - OK Computer\\';

const peer = (username: string, files: SoulseekFile[], o: Partial<SoulseekResponse> = {}): SoulseekResponse => ({
  username,
  hasFreeUploadSlot: true,
  queueLength: 0,
  uploadSpeed: 500_000,
  files,
  ...o,
});
const flac = (name = '02 - Paranoid Android.flac', o: Partial<SoulseekFile> = {}): SoulseekFile => ({ filename: dir + name, size: 40 * MB, length: 387, extension: 'flac', bitDepth: 16, sampleRate: 44_100, ...o });
const mp3 = (bitRate: number, o: Partial<SoulseekFile> = {}): SoulseekFile => ({
  filename: `${dir}02 Paranoid Android.mp3`,
  size: Math.round((bitRate * 1000 * 387) / 8),
  length: 387,
  bitRate,
  extension: 'mp3',
  ...o,
});
const order = (responses: SoulseekResponse[], s: WantedSong = song) => rankCandidates(s, responses, { limit: 20 }).ranked.map((r) => r.candidate.username);

describe('ranking Soulseek candidates', () => {
  it('prefers flac over mp3 320 over mp3 256 over mp3 192 over mp3 128', () => {
    const r = [peer('m128', [mp3(128)]), peer('m256', [mp3(256)]), peer('flac', [flac()]), peer('m192', [mp3(192)]), peer('m320', [mp3(320)])];
    expect(order(r)).toEqual(['flac', 'm320', 'm256', 'm192', 'm128']);
  });

  it('gives reasons for every score and returns at most `limit` candidates', () => {
    const result = rankCandidates(song, [peer('a', [flac()]), peer('b', [mp3(320)]), peer('c', [mp3(256)])], { limit: 2 });
    expect(result.ranked).toHaveLength(2);
    const best = result.ranked[0]!;
    expect(best.candidate.username).toBe('a');
    expect(best.reasons).toContain('flac (lossless) +40');
    expect(best.reasons).toContain('free upload slot +15');
    expect(best.reasons.some((r) => r.startsWith('artist in the path'))).toBe(true);
    expect(best.reasons).toContain('album in the path +5');
    expect(best.score).toBeGreaterThan(result.ranked[1]!.score);
  });

  it('weighs the peer: a free slot and a short queue beat a slightly better format behind a long queue', () => {
    const busy = peer('busy', [mp3(320)], { hasFreeUploadSlot: false, queueLength: 200, uploadSpeed: 50_000 });
    const free = peer('free', [mp3(256)], { hasFreeUploadSlot: true, queueLength: 0, uploadSpeed: 2_000_000 });
    expect(order([busy, free])).toEqual(['free', 'busy']);
  });

  it('breaks ties by queue length, then upload speed, then name', () => {
    const a = peer('a', [mp3(320)], { queueLength: 0, uploadSpeed: 1_000_000 });
    const b = peer('b', [mp3(320)], { queueLength: 0, uploadSpeed: 1_000_000 });
    const c = peer('c', [mp3(320)], { queueLength: 0, uploadSpeed: 1_500_000 }); // same points (capped at 1 MB/s), faster
    expect(order([b, a, c])).toEqual(['c', 'a', 'b']);
  });

  it('leaves out locked files, non-audio files and files without the title', () => {
    const r = [
      peer('locked', [flac(undefined, { isLocked: true })]),
      peer('cue', [{ filename: `${dir}OK Computer.cue`, size: 2000, extension: 'cue' }]),
      peer('other', [flac('03 - Subterranean Homesick Alien.flac')]),
      peer('good', [flac()]),
    ];
    const result = rankCandidates(song, r);
    expect(result.ranked.map((x) => x.candidate.username)).toEqual(['good']);
    const reasons = Object.fromEntries(result.excluded.map((e) => [e.candidate.username, e.reason]));
    expect(reasons.locked).toMatch(/locked/);
    expect(reasons.cue).toMatch(/not an audio file/);
    expect(reasons.other).toMatch(/title words missing/);
  });

  it('treats a response’s lockedFiles as locked', () => {
    const result = rankCandidates(song, [peer('x', [], { lockedFiles: [flac()] })]);
    expect(result.ranked).toEqual([]);
    expect(result.excluded[0]!.reason).toMatch(/locked/);
  });

  it('leaves out files whose length or size does not fit the song', () => {
    const r = [
      peer('short', [mp3(320, { length: 30, size: 1_200_000 })]), // a preview
      peer('tiny', [flac(undefined, { size: 3 * MB, length: null })]), // too small for 387 s of flac
      peer('fakebr', [mp3(320, { size: 4 * MB, length: null })]), // says 320, size says ~80
      peer('huge', [flac(undefined, { size: 900 * MB })]),
      peer('lowbr', [mp3(64, { size: 3_200_000 })]),
      peer('ok', [mp3(320)]),
    ];
    const result = rankCandidates(song, r);
    expect(result.ranked.map((x) => x.candidate.username)).toEqual(['ok']);
    const reasons = Object.fromEntries(result.excluded.map((e) => [e.candidate.username, e.reason]));
    expect(reasons.short).toMatch(/length 30 s differs/);
    expect(reasons.tiny).toMatch(/too small/);
    expect(reasons.fakebr).toMatch(/too small/);
    expect(reasons.huge).toMatch(/too large/);
    expect(reasons.lowbr).toMatch(/too low|too small/);
  });

  it('without a known duration ranks by format and peer only', () => {
    const noDur: WantedSong = { title: 'Paranoid Android', artists: ['Radiohead'] };
    expect(order([peer('m', [mp3(320, { length: 30, size: 1_200_000 })]), peer('f', [flac()])], noDur)).toEqual(['f', 'm']);
  });

  it('penalises a missing artist and other versions (live, remix) of the title', () => {
    const r = [
      peer('live', [flac('02 - Paranoid Android (Live).flac')]),
      peer('noartist', [{ ...flac(), filename: 'misc\\Paranoid Android.flac' }]),
      peer('studio', [flac()]),
    ];
    expect(order(r)).toEqual(['studio', 'live', 'noartist']);
    const noArtist = rankCandidates(song, r, { limit: 3 }).ranked.find((x) => x.candidate.username === 'noartist')!;
    expect(noArtist.reasons).toContain('artist not in the path -15');
  });

  it('does not treat a version word of the wanted title itself as another version', () => {
    const wanted: WantedSong = { title: 'Live Forever', artists: ['Oasis'], durationSec: 276 };
    const f: SoulseekFile = { filename: 'Oasis\\Definitely Maybe\\05 Live Forever.mp3', size: Math.round((320_000 * 276) / 8), length: 276, bitRate: 320 };
    const best = rankCandidates(wanted, [peer('a', [f])]).ranked[0]!;
    expect(best.reasons.some((r) => r.startsWith('other version'))).toBe(false);
  });

  it('matches titles ignoring case, accents, punctuation and bracketed suffixes', () => {
    const wanted: WantedSong = { title: 'Café del Mar (Remastered 2011)', artists: ['Energy 52'] };
    const f: SoulseekFile = { filename: 'energy_52 - cafe-del-mar.mp3', size: 9 * MB, bitRate: 320 };
    expect(rankCandidates(wanted, [peer('a', [f])]).ranked).toHaveLength(1);
    expect(tokens('Café del Mar & Co.')).toEqual(['cafe', 'del', 'mar', 'and', 'co']);
  });

  it('can exclude formats and ranks wav below flac', () => {
    const wav = flac('02 - Paranoid Android.wav', { extension: 'wav', size: 68 * MB });
    expect(order([peer('wav', [wav]), peer('flac', [flac()])])).toEqual(['flac', 'wav']);
    expect(rankCandidates(song, [peer('wav', [wav])], { excludeFormats: ['wav'] }).excluded[0]!.reason).toMatch(/excluded/);
  });

  it('reads the extension from the filename when slskd leaves it empty, and estimates the bit rate', () => {
    expect(extensionOf({ filename: 'a\\b\\song.FLAC', extension: '' })).toBe('flac');
    expect(extensionOf({ filename: 'song', extension: null })).toBe('');
    expect(effectiveBitRate({ filename: 'x.mp3', size: 8_000_000, length: 200 })).toBe(320);
    expect(effectiveBitRate({ filename: 'x.mp3', size: 8_000_000 })).toBeNull();
  });

  it('returns nothing for no responses and flattens responses with their peer data', () => {
    expect(rankCandidates(song, [])).toEqual({ ranked: [], excluded: [] });
    const c = candidatesOf([peer('u', [mp3(320)], { queueLength: 7 })]);
    expect(c[0]).toMatchObject({ username: 'u', queueLength: 7, hasFreeUploadSlot: true, bitRate: 320 });
  });
});

describe('slskd transfer states', () => {
  it('parses the flags slskd writes', () => {
    expect([...parseTransferState('Completed, Succeeded')]).toEqual(['Completed', 'Succeeded']);
    expect([...parseTransferState('Queued, Remotely')]).toEqual(['Queued', 'Remotely']);
  });

  it('maps queued and running states to unfinished phases', () => {
    expect(transferOutcome('Requested')).toMatchObject({ phase: 'requested', done: false });
    expect(transferOutcome('Queued, Locally')).toMatchObject({ phase: 'queued', queuedAt: 'locally', done: false });
    expect(transferOutcome('Queued, Remotely')).toMatchObject({ phase: 'queued', queuedAt: 'remotely', done: false });
    expect(transferOutcome('Initializing')).toMatchObject({ phase: 'in_progress', done: false });
    expect(transferOutcome('InProgress')).toMatchObject({ phase: 'in_progress', done: false, errorCode: null });
    expect(transferOutcome('SomethingNew')).toMatchObject({ phase: 'unknown', done: false });
  });

  it('maps Completed, Succeeded to success', () => {
    expect(transferOutcome('Completed, Succeeded')).toMatchObject({ phase: 'succeeded', done: true, errorCode: null });
  });

  it('maps failures to retry codes: Rejected → user_blocked (never retried), not shared → file_not_found', () => {
    const cases: [string, string | null, string, boolean][] = [
      ['Completed, Rejected', 'Banned', 'user_blocked', false],
      ['Completed, Rejected', null, 'user_blocked', false],
      ['Completed, Rejected', 'Transfer rejected: File not shared.', 'file_not_found', false],
      ['Completed, Rejected', 'Too many megabytes', 'transfer_error', true],
      ['Completed, Errored', 'Remote connection closed', 'transfer_error', true],
      ['Completed, TimedOut', null, 'transfer_timeout', true],
      ['Completed, Cancelled', null, 'transfer_canceled', true],
      ['Completed, Aborted', null, 'transfer_error', true],
      ['Completed', null, 'transfer_error', true],
    ];
    for (const [state, exception, code, retryable] of cases) {
      const o = transferOutcome(state, exception);
      expect(o, state + ' ' + exception).toMatchObject({ phase: 'failed', done: true, errorCode: code, retryable });
      expect(isRetryable(o.errorCode)).toBe(retryable); // agrees with the retry scheduler
    }
    expect(transferOutcome('Completed, Rejected', 'Banned').reason).toBe('Completed, Rejected: Banned');
  });
});
