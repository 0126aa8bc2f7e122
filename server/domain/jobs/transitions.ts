/** The shape every status table in the task center shares: each event names its sources and its target. */
export interface Transition<S extends string> {
  /** The statuses the event may leave; the database write is `WHERE status IN (from)`. */
  readonly from: readonly S[];
  readonly to: S;
}

export type TransitionTable<E extends string, S extends string> = Readonly<Record<E, Transition<S>>>;

/** The status after `event`, or null when the table does not allow it from `from`. */
export function applyEvent<E extends string, S extends string>(table: TransitionTable<E, S>, from: S, event: E): S | null {
  const t = table[event];
  return t.from.includes(from) ? t.to : null;
}

/** Every event the table allows from `from`, in the table's order. */
export function eventsFrom<E extends string, S extends string>(table: TransitionTable<E, S>, from: S): E[] {
  return (Object.keys(table) as E[]).filter((e) => table[e].from.includes(from));
}
