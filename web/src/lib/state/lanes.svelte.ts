import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { client } from '../graphql/client.js';
import { LanesQuery, LanesUpdatedSubscription, SetLaneConcurrencyMutation } from '../graphql/documents.js';
import type { Lane } from '../graphql/types.js';
import type { ControlFeedback } from './workers.svelte.js';
import { LiveList } from './live-value.svelte.js';

/** The lanes jobs queue in, with their limits and counts: a snapshot, then every change live. */
class LanesState extends LiveList<Lane, { lanes: Lane[] }, { lanesUpdated: Lane[] }> {
  /** Lanes with a limit change in flight. */
  pending = new SvelteSet<string>();
  /** A refused limit change (InvalidArgumentError), shown beside the lane. */
  feedback = new SvelteMap<string, ControlFeedback>();

  constructor() {
    super(LanesQuery, (d) => d.lanes, LanesUpdatedSubscription, (d) => d.lanesUpdated);
  }

  /** Changes how many jobs the lane runs at once; true when the server took it. */
  async setLimit(name: string, limit: number): Promise<boolean> {
    this.pending.add(name);
    this.feedback.delete(name);
    try {
      const response = await client.mutation(SetLaneConcurrencyMutation, { lane: name, limit }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.feedback.set(name, { tone: 'error', message: response.error?.message ?? 'No response' });
        return false;
      }
      if (result.__typename !== 'Lane') {
        this.feedback.set(name, { tone: 'error', message: result.message });
        return false;
      }
      // Only the limit is taken from the answer: the counts may already be newer on the socket.
      this.list = this.list.map((lane) => (lane.name === result.name ? { ...lane, limit: result.limit } : lane));
      return true;
    } finally {
      this.pending.delete(name);
    }
  }

  dismissFeedback(name: string): void {
    this.feedback.delete(name);
  }
}

export const lanes = new LanesState();
