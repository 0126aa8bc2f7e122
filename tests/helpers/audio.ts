/**
 * Small valid PCM WAV files with RIFF LIST/INFO tags (IART artist, INAM title, IPRD album,
 * ITRK track), which music-metadata reads back: Roadie's own builder (the demo uses it too).
 */
export { buildWav, type WavOptions } from '../../server/domain/library/wav.js';
