/** The dependency graph of daemons: validation, start order, dependents. Pure. */
export interface GraphNode {
  readonly key: string;
  readonly priority: number;
  readonly dependsOn: readonly string[];
}

export class DaemonGraphError extends Error {
  override name = 'DaemonGraphError';
}

/** A dependency cycle as a path that returns to its start (a → b → a), or null. */
export function findCycle(nodes: readonly GraphNode[]): string[] | null {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const color = new Map<string, 'grey' | 'black'>();
  const stack: string[] = [];
  const visit = (key: string): string[] | null => {
    const c = color.get(key);
    if (c === 'black') return null;
    if (c === 'grey') return [...stack.slice(stack.indexOf(key)), key];
    color.set(key, 'grey');
    stack.push(key);
    for (const dep of byKey.get(key)?.dependsOn ?? []) {
      const cycle = visit(dep);
      if (cycle) return cycle;
    }
    stack.pop();
    color.set(key, 'black');
    return null;
  };
  for (const n of nodes) {
    const cycle = visit(n.key);
    if (cycle) return cycle;
  }
  return null;
}

/** Throws a DaemonGraphError naming the problem: duplicate keys, unknown dependencies, cycles. */
export function validateGraph(nodes: readonly GraphNode[]): void {
  const keys = new Set<string>();
  for (const n of nodes) {
    if (keys.has(n.key)) throw new DaemonGraphError(`daemon "${n.key}" is registered twice`);
    keys.add(n.key);
  }
  for (const n of nodes) {
    for (const dep of n.dependsOn) {
      if (dep === n.key) throw new DaemonGraphError(`daemon "${n.key}" depends on itself`);
      if (!keys.has(dep)) throw new DaemonGraphError(`daemon "${n.key}" depends on unknown daemon "${dep}"`);
    }
  }
  const cycle = findCycle(nodes);
  if (cycle) throw new DaemonGraphError(`dependency cycle: ${cycle.join(' → ')}`);
}

/**
 * Start order in waves: each wave holds the ready daemons (all dependencies in earlier waves)
 * of the highest priority among the ready ones; daemons in one wave may start together.
 * Ties inside a wave are ordered by key so the order is stable.
 */
export function startWaves(nodes: readonly GraphNode[]): string[][] {
  validateGraph(nodes);
  const placed = new Set<string>();
  const remaining = [...nodes];
  const waves: string[][] = [];
  while (remaining.length > 0) {
    const ready = remaining.filter((n) => n.dependsOn.every((d) => placed.has(d)));
    const top = Math.max(...ready.map((n) => n.priority));
    const wave = ready
      .filter((n) => n.priority === top)
      .map((n) => n.key)
      .sort();
    for (const key of wave) {
      placed.add(key);
      remaining.splice(
        remaining.findIndex((n) => n.key === key),
        1,
      );
    }
    waves.push(wave);
  }
  return waves;
}

export function startOrder(nodes: readonly GraphNode[]): string[] {
  return startWaves(nodes).flat();
}

/** Every daemon that depends on `key`, directly or through others. */
export function dependentsOf(nodes: readonly GraphNode[], key: string): string[] {
  const out = new Set<string>();
  const walk = (k: string): void => {
    for (const n of nodes) {
      if (n.dependsOn.includes(k) && !out.has(n.key)) {
        out.add(n.key);
        walk(n.key);
      }
    }
  };
  walk(key);
  return [...out];
}

/** Every daemon `key` needs, directly or through others. */
export function dependenciesOf(nodes: readonly GraphNode[], key: string): string[] {
  const byKey = new Map(nodes.map((n) => [n.key, n]));
  const out = new Set<string>();
  const walk = (k: string): void => {
    for (const d of byKey.get(k)?.dependsOn ?? []) {
      if (!out.has(d)) {
        out.add(d);
        walk(d);
      }
    }
  };
  walk(key);
  return [...out];
}
