/** Where the live (graphql-ws) connection stands. */
export type ConnectionPhase = 'connecting' | 'connected' | 'lost';

type Listener = () => void;

/** Fed by the graphql-ws client's events; tells the views when their live data may have gaps. */
class ConnectionState {
  phase = $state<ConnectionPhase>('connecting');
  /** The connection dropped (or never came up) and the client is retrying. */
  lost = $derived(this.phase === 'lost');

  #reconnectListeners = new Set<Listener>();

  markConnected(): void {
    const wasLost = this.phase === 'lost';
    this.phase = 'connected';
    // Events may have been missed while we were away: let every live view fetch a fresh snapshot.
    if (wasLost) for (const listener of this.#reconnectListeners) listener();
  }

  markClosed(): void {
    this.phase = 'lost';
  }

  /** Calls `listener` after every reconnect; returns the unsubscribe function. */
  onReconnect(listener: Listener): () => void {
    this.#reconnectListeners.add(listener);
    return () => this.#reconnectListeners.delete(listener);
  }
}

export const connection = new ConnectionState();
