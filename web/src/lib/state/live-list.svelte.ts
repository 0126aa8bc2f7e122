import type { TypedDocumentNode } from '@urql/core';
import { client } from '../graphql/client.js';
import { connection } from './connection.svelte.js';

type NoVariables = Record<string, never>;

/**
 * A list the server pushes whole: a snapshot query, then every list the subscription sends;
 * the snapshot is taken again after a reconnect. A live list is newer than any snapshot still
 * in flight, so a late snapshot never overwrites it.
 */
export class LiveList<T, Q, S> {
  list = $state.raw<T[]>([]);
  loading = $state(true);
  loadError = $state<string | null>(null);
  #snapshotSeq = 0;

  constructor(
    private readonly query: TypedDocumentNode<Q, NoVariables>,
    private readonly fromQuery: (data: Q) => T[],
    private readonly subscription: TypedDocumentNode<S, NoVariables>,
    private readonly fromSubscription: (data: S) => T[],
  ) {}

  follow(): () => void {
    void this.refresh();
    const sub = client.subscription(this.subscription, {}).subscribe((result) => {
      if (!result.data) return;
      this.#snapshotSeq += 1;
      this.#set(this.fromSubscription(result.data));
    });
    const stopReconnect = connection.onReconnect(() => void this.refresh());
    return () => {
      sub.unsubscribe();
      stopReconnect();
    };
  }

  async refresh(): Promise<void> {
    const seq = ++this.#snapshotSeq;
    const result = await client.query(this.query, {}, { requestPolicy: 'network-only' }).toPromise();
    if (seq !== this.#snapshotSeq) return;
    if (result.data) this.#set(this.fromQuery(result.data));
    else {
      this.loading = false;
      this.loadError = result.error?.message ?? 'No data';
    }
  }

  #set(items: T[]): void {
    this.list = items;
    this.loading = false;
    this.loadError = null;
  }
}
