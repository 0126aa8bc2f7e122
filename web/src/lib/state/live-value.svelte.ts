import type { TypedDocumentNode } from '@urql/core';
import { client } from '../graphql/client.js';
import { connection } from './connection.svelte.js';

type NoVariables = Record<string, never>;

/**
 * A value the server pushes whole: every value the subscription sends, and a snapshot query
 * after a reconnect (and, with `snapshotOnFollow`, when following starts; subscriptions that send
 * the current value first do not need it). A pushed value is newer than any snapshot still in
 * flight, so a late snapshot never overwrites it.
 */
export class LiveValue<T, Q, S> {
  value = $state.raw<T>() as T;
  loading = $state(true);
  loadError = $state<string | null>(null);
  #snapshotSeq = 0;

  constructor(
    private readonly query: TypedDocumentNode<Q, NoVariables>,
    private readonly fromQuery: (data: Q) => T,
    private readonly subscription: TypedDocumentNode<S, NoVariables>,
    private readonly fromSubscription: (data: S) => T,
    initial: T,
    private readonly snapshotOnFollow: boolean,
  ) {
    this.value = initial;
  }

  follow(): () => void {
    if (this.snapshotOnFollow) void this.refresh();
    const sub = client.subscription(this.subscription, {}).subscribe((result) => {
      if (result.data) {
        this.#snapshotSeq += 1;
        this.receive(this.fromSubscription(result.data));
      } else if (result.error) {
        this.loadError = result.error.message;
      }
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
    if (result.data) this.receive(this.fromQuery(result.data));
    else {
      this.loading = false;
      this.loadError = result.error?.message ?? 'No data';
    }
  }

  /** A value known to be current (a snapshot, a push, or a mutation's answer). */
  receive(value: T): void {
    this.value = value;
    this.loading = false;
    this.loadError = null;
  }
}

/** A list the server pushes whole: a snapshot query when following starts, then every list pushed. */
export class LiveList<T, Q, S> extends LiveValue<T[], Q, S> {
  constructor(query: TypedDocumentNode<Q, NoVariables>, fromQuery: (data: Q) => T[], subscription: TypedDocumentNode<S, NoVariables>, fromSubscription: (data: S) => T[]) {
    super(query, fromQuery, subscription, fromSubscription, [], true);
  }

  get list(): T[] {
    return this.value;
  }

  set list(items: T[]) {
    this.value = items;
  }
}
