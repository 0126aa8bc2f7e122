import { client } from '../graphql/client.js';
import { OrchestratorHealthSubscription } from '../graphql/documents.js';
import type { OrchestratorSummary } from '../graphql/types.js';

/**
 * The orchestrator's own counts and health rule (every required daemon running). The
 * subscription sends the current value first, also after each reconnect.
 */
class OrchestratorState {
  summary = $state.raw<OrchestratorSummary | null>(null);

  follow(): () => void {
    const subscription = client.subscription(OrchestratorHealthSubscription, {}).subscribe((result) => {
      if (result.data) this.summary = result.data.orchestratorHealth;
    });
    return () => subscription.unsubscribe();
  }
}

export const orchestrator = new OrchestratorState();
