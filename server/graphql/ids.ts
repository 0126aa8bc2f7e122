import { decodeGlobalID } from '@pothos/plugin-relay';

/**
 * A numeric database id from an ID argument: a plain number, or a Relay global id of one of
 * the given types (what clients read back from `id` fields). Null when it is neither.
 */
export function numericIdOf(id: string | number, typenames: readonly string[]): number | null {
  const raw = String(id);
  if (/^\d+$/.test(raw)) return Number(raw);
  try {
    const { typename, id: inner } = decodeGlobalID(raw);
    return typenames.includes(typename) && /^\d+$/.test(inner) ? Number(inner) : null;
  } catch {
    return null;
  }
}

/** A page size from `first`: 50 when not given, at least 1, at most `max`. */
export const pageSize = (first: number | null | undefined, max: number): number => Math.min(Math.max(first ?? 50, 1), max);

/** The id a keyset cursor of this kind stands for (null: from the start, or not a cursor of this kind). */
export function decodeCursor(kind: string, cursor: string | null | undefined): number | null {
  if (!cursor) return null;
  const m = new RegExp(`^${kind}:(\\d+)$`).exec(Buffer.from(cursor, 'base64').toString('utf8'));
  return m ? Number(m[1]) : null;
}

/** A Relay connection over one keyset page (cursors are "kind:id" in base64). */
export function keysetConnection<T>(kind: string, nodes: readonly T[], idOf: (node: T) => number, hasNextPage: boolean, after: number | null) {
  const edges = nodes.map((node) => ({ cursor: Buffer.from(`${kind}:${idOf(node)}`).toString('base64'), node }));
  return {
    edges,
    pageInfo: { hasNextPage, hasPreviousPage: after !== null, startCursor: edges[0]?.cursor ?? null, endCursor: edges.at(-1)?.cursor ?? null },
  };
}
