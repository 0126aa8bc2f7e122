import type { WorkerAction } from './graphql/types.js';

export type ControlAction = 'start' | 'stop' | 'pause' | 'resume' | 'runNow';

const apiAction: Record<ControlAction, WorkerAction> = {
  start: 'START',
  stop: 'STOP',
  pause: 'PAUSE',
  resume: 'RESUME',
  runNow: 'RUN_NOW',
};

/**
 * Whether a control is possible now. The server derives `availableActions` from its state
 * table, so the rule lives in one place (server/domain/daemons/states.ts).
 */
export function canDo(available: readonly WorkerAction[], action: ControlAction): boolean {
  return available.includes(apiAction[action]);
}

/** Everything a worker card can ask for; the workers state turns it into a mutation. */
export type WorkerCommand =
  | { type: ControlAction }
  | { type: 'interval'; seconds: number }
  | { type: 'enabled'; enabled: boolean }
  | { type: 'dryRun'; dryRun: boolean }
  | { type: 'dismiss' };
