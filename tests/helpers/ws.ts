import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { EventCollector } from './events.js';

/** A live subscription: its events (the `data` of each result) plus `close`. */
export interface LiveSubscription<T> extends EventCollector<T> {
  close(): Promise<void>;
}

/** A graphql-ws client that fails fast instead of retrying (tests want to see the error). */
export function createWsClient(wsUrl: string): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    retryAttempts: 0,
    lazy: true,
    connectionAckWaitTimeout: 5000,
  });
}

/**
 * Subscribes over graphql-ws (own connection) and collects each result's data. A result with
 * GraphQL errors ends the collection with an error naming them.
 */
export function subscribeWs<T = Record<string, unknown>>(
  wsUrl: string,
  query: string,
  variables?: Record<string, unknown>,
): LiveSubscription<T> {
  const client = createWsClient(wsUrl);
  const collector = new EventCollector<T>(`ws ${query.replace(/\s+/g, ' ').slice(0, 60)}`) as LiveSubscription<T>;
  const unsubscribe = client.subscribe<T>(
    { query, variables },
    {
      next: (result) => {
        if (result.errors?.length) collector.end(new Error(`GraphQL errors: ${result.errors.map((e) => e.message).join('; ')}`));
        else collector.push(result.data as T);
      },
      error: (err) => collector.end(err instanceof Error ? err : new Error(`socket closed: ${JSON.stringify(err, ['code', 'reason'])}`)),
      complete: () => collector.end(),
    },
  );
  collector.close = async () => {
    unsubscribe();
    await client.dispose();
  };
  return collector;
}

/** Subscribes once and resolves with the first result (data or errors), then closes. */
export async function firstWsResult(
  wsUrl: string,
  query: string,
  variables?: Record<string, unknown>,
): Promise<{ data?: unknown; errors?: readonly { message: string }[] }> {
  const client = createWsClient(wsUrl);
  try {
    return await new Promise((resolve, reject) => {
      // The client is disposed afterwards; unsubscribing inside `next` can upset graphql-ws's
      // connection lock count when `complete` arrives in the same chunk.
      client.subscribe(
        { query, variables },
        {
          next: (r) => resolve(r as { data?: unknown; errors?: readonly { message: string }[] }),
          error: (err) => {
            // graphql-ws hands validation errors of a subscribe as an array of GraphQL errors.
            if (Array.isArray(err)) resolve({ errors: err as { message: string }[] });
            else reject(err instanceof Error ? err : new Error(JSON.stringify(err, ['code', 'reason'])));
          },
          complete: () => reject(new Error('completed without a result')), // no-op once resolved
        },
      );
    });
  } finally {
    await client.dispose();
  }
}
