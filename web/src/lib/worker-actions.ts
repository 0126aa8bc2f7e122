import type { DaemonState } from './graphql/types.js';

export type ControlAction = 'start' | 'stop' | 'pause' | 'resume' | 'runNow';

/** Which controls make sense in which daemon state; the one place the buttons ask. */
const allowed: Record<DaemonState, readonly ControlAction[]> = {
  REGISTERED: ['start'],
  STARTING: ['stop'],
  RUNNING: ['stop', 'pause', 'runNow'],
  PAUSED: ['stop', 'resume'],
  STOPPING: [],
  STOPPED: ['start'],
  FAILED: ['start'],
};

export function canDo(state: DaemonState, action: ControlAction): boolean {
  return allowed[state].includes(action);
}

/** Everything a worker card can ask for; the workers state turns it into a mutation. */
export type WorkerCommand =
  | { type: ControlAction }
  | { type: 'interval'; seconds: number }
  | { type: 'enabled'; enabled: boolean }
  | { type: 'dryRun'; dryRun: boolean }
  | { type: 'dismiss' };
