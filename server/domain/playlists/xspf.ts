import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { entry, fail, seconds, type PlaylistBody } from './common.js';
import { resolveOrFail, type LocationBase } from './location.js';

/**
 * Elements only (XSPF keeps its data out of attributes), text kept as written (we parse numbers
 * ourselves), and `track` and `location` always lists: a track may name several locations.
 */
const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  removeNSPrefix: true,
  isArray: (name) => name === 'track' || name === 'location',
});

type Node = Record<string, unknown>;

/** An element with children; an empty element (`<trackList/>`) has none. */
function element(value: unknown, at: string): Node {
  if (value === undefined || value === '') return {};
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Node;
  return fail(`${at}: expected child elements`);
}

/** An element's text, trimmed; null when absent or empty. */
function text(value: unknown, at: string): string | null {
  if (value === undefined) return null;
  if (typeof value !== 'string') fail(`${at}: expected text`);
  return value.trim() || null;
}

/** A whole number ≥ `min` written as text, or null when the element is absent. */
function whole(value: unknown, at: string, min: number): number | null {
  const written = text(value, at);
  if (written === null) return null;
  if (!/^\d+$/.test(written) || Number(written) < min) fail(`${at}: expected a whole number${min > 0 ? ` ≥ ${min}` : ''}, got "${written}"`);
  return Number(written);
}

/**
 * XSPF (xspf.org/spec): <playlist><title/><annotation/><trackList><track> with location
 * (a URI; the first of several wins), title, creator, album, duration (milliseconds) and
 * trackNum. Elements are named XPath-style, 1-based: "trackList/track[2]".
 */
export function parseXspf(xml: string, base: LocationBase): PlaylistBody {
  const invalid = XMLValidator.validate(xml);
  if (invalid !== true) fail(`line ${invalid.err.line}, column ${invalid.err.col}: ${invalid.err.msg}`);
  let doc: unknown;
  try {
    doc = parser.parse(xml);
  } catch (e) {
    fail(`invalid XML: ${(e as Error).message}`);
  }
  const root = element(doc, 'document');
  if (!('playlist' in root)) fail(`expected a <playlist> root element, got <${Object.keys(root)[0] ?? ''}>`);
  const playlist = element(root.playlist, 'playlist');
  const tracks = element(playlist.trackList, 'trackList').track;

  const entries = ((tracks ?? []) as unknown[]).map((value, i) => {
    const at = `trackList/track[${i + 1}]`;
    const track = element(value, at);
    const locations = ((track.location ?? []) as unknown[]).map((l) => text(l, `${at}/location`));
    const location = locations.find((l) => l !== null) ?? fail(`${at}: location missing`);
    const durationMs = whole(track.duration, `${at}/duration`, 0);
    return entry(i, resolveOrFail(location, base, 'uri', at), {
      title: text(track.title, `${at}/title`),
      artist: text(track.creator, `${at}/creator`),
      album: text(track.album, `${at}/album`),
      durationSec: durationMs === null ? null : seconds(durationMs / 1000),
      trackNumber: whole(track.trackNum, `${at}/trackNum`, 1),
    });
  });
  return { name: text(playlist.title, 'playlist/title'), description: text(playlist.annotation, 'playlist/annotation'), entries };
}
