import { client } from '../graphql/client.js';
import { DownloadSpeedLimitQuery, DownloadSpeedLimitSubscription, SetDownloadSpeedLimitMutation } from '../graphql/documents.js';
import { LiveValue } from './live-value.svelte.js';
import type { ControlFeedback } from './workers.svelte.js';

/**
 * The global download speed limit (bytes a second, 0 = unlimited): the subscription sends the
 * current limit first, then every change, whichever client made it.
 */
class SpeedLimitState extends LiveValue<number | null, { downloadSpeedLimit: number }, { downloadSpeedLimitChanged: number }> {
  saving = $state(false);
  /** A refused value (InvalidArgumentError), shown beside the editor. */
  feedback = $state<ControlFeedback | null>(null);

  constructor() {
    // the subscription sends the current limit first
    super(DownloadSpeedLimitQuery, (d) => d.downloadSpeedLimit, DownloadSpeedLimitSubscription, (d) => d.downloadSpeedLimitChanged, null, false);
  }

  /** Null until read. */
  get bytesPerSecond(): number | null {
    return this.value;
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
      this.receive(result.bytesPerSecond);
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
