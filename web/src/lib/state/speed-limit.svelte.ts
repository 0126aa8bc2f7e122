import { client } from '../graphql/client.js';
import { DownloadSpeedLimitQuery, DownloadSpeedLimitSubscription, SetDownloadSpeedLimitMutation } from '../graphql/documents.js';
import { connection } from './connection.svelte.js';
import type { ControlFeedback } from './workers.svelte.js';

/**
 * The global download speed limit (bytes a second, 0 = unlimited): the subscription sends the
 * current limit first, then every change, whichever client made it.
 */
class SpeedLimitState {
  /** Null until read. */
  bytesPerSecond = $state<number | null>(null);
  loadError = $state<string | null>(null);
  saving = $state(false);
  /** A refused value (InvalidArgumentError), shown beside the editor. */
  feedback = $state<ControlFeedback | null>(null);

  follow(): () => void {
    const subscription = client.subscription(DownloadSpeedLimitSubscription, {}).subscribe((result) => {
      if (result.data) {
        this.bytesPerSecond = result.data.downloadSpeedLimitChanged;
        this.loadError = null;
      } else if (result.error) {
        this.loadError = result.error.message;
      }
    });
    const stopReconnect = connection.onReconnect(() => void this.refresh());
    return () => {
      subscription.unsubscribe();
      stopReconnect();
    };
  }

  async refresh(): Promise<void> {
    const result = await client.query(DownloadSpeedLimitQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    if (result.data) {
      this.bytesPerSecond = result.data.downloadSpeedLimit;
      this.loadError = null;
    } else {
      this.loadError = result.error?.message ?? 'No data';
    }
  }

  /** Sets the limit; true when the server took it. */
  async set(bytesPerSecond: number): Promise<boolean> {
    this.saving = true;
    this.feedback = null;
    try {
      const response = await client.mutation(SetDownloadSpeedLimitMutation, { bytesPerSecond }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.feedback = { tone: 'error', message: response.error?.message ?? 'No response' };
        return false;
      }
      if (result.__typename !== 'DownloadSpeedLimitPayload') {
        this.feedback = { tone: 'error', message: result.message };
        return false;
      }
      this.bytesPerSecond = result.bytesPerSecond;
      return true;
    } finally {
      this.saving = false;
    }
  }

  dismissFeedback(): void {
    this.feedback = null;
  }
}

export const speedLimit = new SpeedLimitState();
