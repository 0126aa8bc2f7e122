import { SvelteMap, SvelteSet } from 'svelte/reactivity';
import { client } from '../graphql/client.js';
import { LanesQuery, LanesUpdatedSubscription, SetLaneConcurrencyMutation } from '../graphql/documents.js';
import type { Lane } from '../graphql/types.js';
import type { ControlFeedback } from './workers.svelte.js';
import { connection } from './connection.svelte.js';

/** The lanes jobs queue in, with their limits and counts: a snapshot, then every change live. */
class LanesState {
  list = $state.raw<Lane[]>([]);
  loading = $state(true);
  loadError = $state<string | null>(null);
  /** Lanes with a limit change in flight. */
  pending = new SvelteSet<string>();
  /** A refused limit change (InvalidArgumentError), shown beside the lane. */
  feedback = new SvelteMap<string, ControlFeedback>();
  #snapshotSeq = 0;

  follow(): () => void {
    void this.refresh();
    const subscription = client.subscription(LanesUpdatedSubscription, {}).subscribe((result) => {
      const lanes = result.data?.lanesUpdated;
      if (!lanes) return;
      this.#snapshotSeq += 1; // a live list is newer than any snapshot still in flight
      this.#set(lanes);
    });
    const stopReconnect = connection.onReconnect(() => void this.refresh());
    return () => {
      subscription.unsubscribe();
      stopReconnect();
    };
  }

  async refresh(): Promise<void> {
    const seq = ++this.#snapshotSeq;
    const result = await client.query(LanesQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    if (seq !== this.#snapshotSeq) return;
    if (result.data) this.#set(result.data.lanes);
    else {
      this.loading = false;
      this.loadError = result.error?.message ?? 'No data';
    }
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

  #set(lanes: Lane[]): void {
    this.list = lanes;
    this.loading = false;
    this.loadError = null;
  }
}

export const lanes = new LanesState();
