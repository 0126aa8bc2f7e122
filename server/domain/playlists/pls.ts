import { entry, fail, seconds, splitArtistTitle, splitLines, type PlaylistBody } from './common.js';
import { resolveOrFail, type LocationBase } from './location.js';

/** The numbered keys of one entry: FileN, TitleN, LengthN. */
const ENTRY_KEY = /^(file|title|length)(\d+)$/i;

type Field = 'file' | 'title' | 'length';
/** One numbered entry's keys as written, with their lines for messages. */
type Row = { line: number } & { [F in Field]?: { readonly key: string; readonly value: string; readonly line: number } };

/**
 * PLS (Winamp, SHOUTcast): one [playlist] section of FileN / TitleN / LengthN keys, numbered
 * 1, 2, 3 … without gaps, plus NumberOfEntries (checked when present) and Version (ignored).
 * Keys are case-insensitive and in any order; unknown keys and ; or # comments are skipped.
 */
export function parsePls(text: string, base: LocationBase): PlaylistBody {
  const rows = new Map<number, Row>();
  let header = false;
  let declared: { count: number; line: number } | null = null;

  for (const [index, raw] of splitLines(text).entries()) {
    const line = raw.trim();
    const n = index + 1;
    if (line === '' || line.startsWith(';') || line.startsWith('#')) continue;
    if (!header) {
      if (line.toLowerCase() !== '[playlist]') fail(`line ${n}: expected "[playlist]", got "${line}"`);
      header = true;
      continue;
    }
    if (line.startsWith('[')) fail(`line ${n}: unexpected section ${line} (a PLS file has only [playlist])`);
    const eq = line.indexOf('=');
    if (eq < 1) fail(`line ${n}: expected key=value, got "${line}"`);
    const key = line.slice(0, eq).trim();
    const value = line.slice(eq + 1).trim();

    const numbered = ENTRY_KEY.exec(key);
    if (numbered) {
      const [, field = '', number = ''] = numbered;
      if (number.startsWith('0')) fail(`line ${n}: ${key}: entries are numbered from 1, without leading zeros`);
      const row = rows.get(Number(number)) ?? { line: n };
      const f = field.toLowerCase() as Field;
      const earlier = row[f];
      if (earlier) fail(`line ${n}: ${key} given twice (first on line ${earlier.line})`);
      row[f] = { key, value, line: n };
      rows.set(Number(number), row);
    } else if (key.toLowerCase() === 'numberofentries') {
      if (!/^\d+$/.test(value)) fail(`line ${n}: NumberOfEntries must be a whole number, got "${value}"`);
      declared = { count: Number(value), line: n };
    }
  }
  if (!header) fail('line 1: expected "[playlist]"');

  const numbers = [...rows.keys()].sort((a, b) => a - b);
  const entries = numbers.map((number, i) => {
    const row = rows.get(number) as Row;
    if (number !== i + 1) fail(`line ${row.line}: entry ${number} skips entry ${i + 1} (PLS entries are numbered 1, 2, 3 … without gaps)`);
    if (!row.file) fail(`line ${row.line}: entry ${number} has no File${number}`);
    const location = resolveOrFail(row.file.value, base, 'path', `line ${row.file.line}`);
    let durationSec: number | null = null;
    if (row.length) {
      const { key, value, line } = row.length;
      if (!/^-?\d+(?:\.\d+)?$/.test(value)) fail(`line ${line}: ${key} must be seconds, got "${value}"`);
      durationSec = seconds(Number(value));
    }
    return entry(i, location, { ...splitArtistTitle(row.title?.value ?? ''), durationSec });
  });
  if (declared && declared.count !== entries.length) {
    fail(`line ${declared.line}: NumberOfEntries is ${declared.count} but the file lists ${entries.length}`);
  }
  return { name: null, description: null, entries };
}
