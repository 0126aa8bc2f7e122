import type { DaemonState } from './states.js';

export interface HealthInput {
  readonly key: string;
  readonly required: boolean;
  readonly state: DaemonState;
}

/** Healthy means every required daemon is running (paused or starting is not running). */
export function isHealthy(daemons: readonly HealthInput[]): boolean {
  return daemons.every((d) => !d.required || d.state === 'RUNNING');
}

/** The required daemons that keep the orchestrator unhealthy. */
export function unhealthyRequired(daemons: readonly HealthInput[]): string[] {
  return daemons.filter((d) => d.required && d.state !== 'RUNNING').map((d) => d.key);
}

export interface StateCounts {
  total: number;
  running: number;
  stopped: number;
  failed: number;
}

/** Counts as the seed's orchestrator reports them: stopped = not running and not failed. */
export function countStates(daemons: readonly { state: DaemonState }[]): StateCounts {
  let running = 0;
  let failed = 0;
  for (const d of daemons) {
    if (d.state === 'RUNNING') running++;
    else if (d.state === 'FAILED') failed++;
  }
  return { total: daemons.length, running, failed, stopped: daemons.length - running - failed };
}
