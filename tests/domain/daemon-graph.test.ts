import { describe, expect, it } from 'vitest';
import { DaemonGraphError, dependenciesOf, dependentsOf, findCycle, startOrder, startWaves, validateGraph, type GraphNode } from '../../server/domain/daemons/graph.js';
import { countStates, isHealthy, unhealthyRequired } from '../../server/domain/daemons/health.js';
import { RESTART_FORGIVE_AFTER_MS, restartDelayMs, shouldForgiveRestarts, shouldRestart } from '../../server/domain/daemons/restart.js';

const n = (key: string, priority: number, dependsOn: string[] = []): GraphNode => ({ key, priority, dependsOn });

describe('dependency graph', () => {
  it('starts higher priority first and equal priorities together', () => {
    const nodes = [n('c', 10), n('a', 100), n('b1', 50), n('b2', 50)];
    expect(startWaves(nodes)).toEqual([['a'], ['b1', 'b2'], ['c']]);
  });

  it('starts dependencies before dependents even when they have lower priority', () => {
    const nodes = [n('low', 10), n('high', 100, ['low']), n('mid', 50)];
    expect(startOrder(nodes)).toEqual(['mid', 'low', 'high']);
  });

  it("orders Roadie's seed graph: token refresh before the syncs", () => {
    const nodes = [n('spotify_sync', 80, ['token_refresh']), n('token_refresh', 100), n('download_monitor', 90), n('new_releases_sync', 70, ['token_refresh'])];
    expect(startOrder(nodes)).toEqual(['token_refresh', 'download_monitor', 'spotify_sync', 'new_releases_sync']);
  });

  it('finds cycles and names them', () => {
    const nodes = [n('a', 1, ['b']), n('b', 1, ['c']), n('c', 1, ['a'])];
    expect(findCycle(nodes)).toEqual(['a', 'b', 'c', 'a']);
    expect(() => validateGraph(nodes)).toThrow(new DaemonGraphError('dependency cycle: a → b → c → a'));
    expect(() => startWaves(nodes)).toThrow(/cycle/);
  });

  it('refuses self-dependencies, unknown dependencies and duplicate keys', () => {
    expect(() => validateGraph([n('a', 1, ['a'])])).toThrow(/depends on itself/);
    expect(() => validateGraph([n('a', 1, ['ghost'])])).toThrow(/unknown daemon "ghost"/);
    expect(() => validateGraph([n('a', 1), n('a', 2)])).toThrow(/registered twice/);
    expect(findCycle([n('a', 1, ['b']), n('b', 1)])).toBeNull();
  });

  it('lists transitive dependents and dependencies', () => {
    const nodes = [n('root', 1), n('mid', 1, ['root']), n('leaf', 1, ['mid']), n('other', 1)];
    expect(dependentsOf(nodes, 'root').sort()).toEqual(['leaf', 'mid']);
    expect(dependenciesOf(nodes, 'leaf').sort()).toEqual(['mid', 'root']);
    expect(dependentsOf(nodes, 'other')).toEqual([]);
  });
});

describe('health rule', () => {
  it('is healthy when every required daemon runs', () => {
    expect(isHealthy([{ key: 'a', required: true, state: 'RUNNING' }, { key: 'b', required: false, state: 'FAILED' }])).toBe(true);
    expect(isHealthy([{ key: 'a', required: true, state: 'PAUSED' }])).toBe(false);
    expect(unhealthyRequired([{ key: 'a', required: true, state: 'FAILED' }, { key: 'b', required: true, state: 'RUNNING' }])).toEqual(['a']);
    expect(isHealthy([])).toBe(true);
  });

  it('counts as the seed does', () => {
    expect(countStates([{ state: 'RUNNING' }, { state: 'FAILED' }, { state: 'STOPPED' }, { state: 'PAUSED' }])).toEqual({
      total: 4,
      running: 1,
      failed: 1,
      stopped: 2,
    });
  });
});

describe('restart policy', () => {
  it('restarts at most three times with doubling delays', () => {
    expect([0, 1, 2, 3].map((c) => shouldRestart(c))).toEqual([true, true, true, false]);
    expect([1, 2, 3].map((a) => restartDelayMs(a, 1000))).toEqual([1000, 2000, 4000]);
  });

  it('gives the restart budget back only after the daemon stayed up long enough', () => {
    const t0 = 1_000_000;
    expect(shouldForgiveRestarts(2, t0, t0 + RESTART_FORGIVE_AFTER_MS)).toBe(true);
    expect(shouldForgiveRestarts(2, t0, t0 + RESTART_FORGIVE_AFTER_MS - 1)).toBe(false);
    expect(shouldForgiveRestarts(0, t0, t0 + RESTART_FORGIVE_AFTER_MS)).toBe(false);
    expect(shouldForgiveRestarts(1, null, t0)).toBe(false);
  });
});
