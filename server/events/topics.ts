import type { OrchestratorView, WorkerView } from '../daemons/views.js';
import type { ServiceHealthView } from '../services/service-monitor.js';

/**
 * Every event Roadie publishes, by topic (noun:verb). Payloads are plain data snapshots,
 * published after the write that caused them has committed.
 */
// A type alias (not an interface) so it satisfies yoga's index-signature constraint.
export type Topics = {
  /** A daemon's state, status, activity, settings or counters changed. */
  'daemon:changed': [WorkerView];
  /** The orchestrator's counts or health changed. */
  'orchestrator:changed': [OrchestratorView];
  /** A round of service probes finished. */
  'services:probed': [readonly ServiceHealthView[]];
};
