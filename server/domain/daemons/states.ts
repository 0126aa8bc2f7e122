/** Lifecycle of a daemon under the orchestrator, as one transition table. */
export const DAEMON_STATES = ['REGISTERED', 'STARTING', 'RUNNING', 'PAUSED', 'STOPPING', 'STOPPED', 'FAILED'] as const;
export type DaemonState = (typeof DAEMON_STATES)[number];

/** What can happen to a daemon's lifecycle; user controls are a subset (see CONTROL_EVENTS). */
export type DaemonEvent =
  | 'start' // begin starting (user control or boot)
  | 'started' // set-up finished, the cycle loop runs
  | 'startFailed' // set-up failed or a dependency could not start
  | 'pause' // stop running cycles, stay alive
  | 'resume' // run cycles again
  | 'stop' // begin stopping
  | 'stopped' // the loop has ended
  | 'restart' // crashed, restarting with backoff
  | 'fail'; // crashed for good (restarts exhausted)

interface Transition {
  readonly from: readonly DaemonState[];
  readonly to: DaemonState;
}

export const DAEMON_TRANSITIONS: Readonly<Record<DaemonEvent, Transition>> = {
  start: { from: ['REGISTERED', 'STOPPED', 'FAILED'], to: 'STARTING' },
  started: { from: ['STARTING'], to: 'RUNNING' },
  startFailed: { from: ['STARTING'], to: 'FAILED' },
  pause: { from: ['RUNNING'], to: 'PAUSED' },
  resume: { from: ['PAUSED'], to: 'RUNNING' },
  stop: { from: ['STARTING', 'RUNNING', 'PAUSED'], to: 'STOPPING' },
  stopped: { from: ['STOPPING'], to: 'STOPPED' },
  restart: { from: ['RUNNING', 'PAUSED'], to: 'STARTING' },
  fail: { from: ['STARTING', 'RUNNING', 'PAUSED'], to: 'FAILED' },
};

/** The state after `event`, or null when the table does not allow it from `from`. */
export function nextDaemonState(from: DaemonState, event: DaemonEvent): DaemonState | null {
  const t = DAEMON_TRANSITIONS[event];
  return t.from.includes(from) ? t.to : null;
}

/** Controls a person or client can ask for; each maps to a lifecycle event or needs a state. */
export const WORKER_ACTIONS = ['START', 'STOP', 'PAUSE', 'RESUME', 'RUN_NOW', 'SET_INTERVAL', 'SET_ENABLED', 'SET_DRY_RUN'] as const;
export type WorkerAction = (typeof WORKER_ACTIONS)[number];

const ACTION_EVENT: Partial<Record<WorkerAction, DaemonEvent>> = {
  START: 'start',
  STOP: 'stop',
  PAUSE: 'pause',
  RESUME: 'resume',
};

/** States in which a cycle can be triggered right away. */
const RUN_NOW_STATES: readonly DaemonState[] = ['RUNNING'];

/**
 * Whether an action is possible in a state. START on a live daemon and STOP on a stopped one
 * are answered as "already" by the orchestrator, so they are not listed as possible here.
 */
export function canPerform(state: DaemonState, action: WorkerAction): boolean {
  if (action === 'RUN_NOW') return RUN_NOW_STATES.includes(state);
  const event = ACTION_EVENT[action];
  if (event === undefined) return true; // settings can change in any state
  return nextDaemonState(state, event) !== null;
}

/** The lifecycle actions offered in a state, derived from the table (for clients' buttons). */
export function availableActions(state: DaemonState): WorkerAction[] {
  return (['START', 'STOP', 'PAUSE', 'RESUME', 'RUN_NOW'] as const).filter((a) => canPerform(state, a));
}

/** A live daemon is one whose loop exists: start on it is a no-op success ("already running"). */
export function isLive(state: DaemonState): boolean {
  return state === 'STARTING' || state === 'RUNNING' || state === 'PAUSED';
}
