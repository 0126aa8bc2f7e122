import { SvelteMap } from 'svelte/reactivity';
import { client } from '../graphql/client.js';
import { DownloadSpeedSubscription } from '../graphql/documents.js';
import type { DownloadSpeedEvent } from '../graphql/types.js';
import { addSample, type SpeedSample } from '../speed-history.js';

/** Jobs whose figures are kept; the oldest reported beyond this are forgotten. */
const MAX_JOBS = 20;

/**
 * Live download figures of every job, from one downloadSpeed subscription without a jobId:
 * the latest event of each job (by job number) and its speed over the last minute. The
 * subscription answers with the latest known figures first, also after a reconnect.
 */
class DownloadSpeedState {
  /** The latest event of each job, by job number. */
  latest = new SvelteMap<number, DownloadSpeedEvent>();
  /** Each job's recent speed, oldest first. */
  history = new SvelteMap<number, SpeedSample[]>();

  /** Follows every job's figures; returns the function that stops following. */
  follow(): () => void {
    const subscription = client.subscription(DownloadSpeedSubscription, {}).subscribe((result) => {
      if (result.data) this.#apply(result.data.downloadSpeed);
    });
    return () => subscription.unsubscribe();
  }

  #apply(event: DownloadSpeedEvent): void {
    const at = Date.parse(event.at);
    // Re-inserted so the map's order is "least recently reported first".
    this.latest.delete(event.jobId);
    this.latest.set(event.jobId, event);
    const samples = addSample(this.history.get(event.jobId) ?? [], { at, speed: event.speedBytesPerSec });
    this.history.delete(event.jobId);
    this.history.set(event.jobId, samples);
    while (this.latest.size > MAX_JOBS) {
      const oldest = this.latest.keys().next().value;
      if (oldest === undefined) break;
      this.latest.delete(oldest);
      this.history.delete(oldest);
    }
  }
}

export const downloadSpeeds = new DownloadSpeedState();
