import { client } from '../graphql/client.js';
import { ServicesQuery, ServicesUpdatedSubscription } from '../graphql/documents.js';
import type { ServiceHealth } from '../graphql/types.js';
import { connection } from './connection.svelte.js';

/** External services and their last probe: a snapshot, then every probe round live. */
class ServicesState {
  list = $state.raw<ServiceHealth[]>([]);
  loading = $state(true);
  loadError = $state<string | null>(null);
  #snapshotSeq = 0;

  follow(): () => void {
    void this.refresh();
    const subscription = client.subscription(ServicesUpdatedSubscription, {}).subscribe((result) => {
      const services = result.data?.servicesUpdated;
      if (!services) return;
      this.#snapshotSeq += 1; // a live round is newer than any snapshot still in flight
      this.#set(services);
    });
    const stopReconnect = connection.onReconnect(() => void this.refresh());
    return () => {
      subscription.unsubscribe();
      stopReconnect();
    };
  }

  async refresh(): Promise<void> {
    const seq = ++this.#snapshotSeq;
    const result = await client.query(ServicesQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    if (seq !== this.#snapshotSeq) return;
    if (result.data) this.#set(result.data.services);
    else {
      this.loading = false;
      this.loadError = result.error?.message ?? 'No data';
    }
  }

  #set(services: ServiceHealth[]): void {
    this.list = services;
    this.loading = false;
    this.loadError = null;
  }
}

export const services = new ServicesState();
