import { Client, fetchExchange, subscriptionExchange } from '@urql/core';
import { createClient as createWsClient } from 'graphql-ws';
import { connection } from '../state/connection.svelte.js';

const httpUrl = new URL('/graphql', location.href).toString();
const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;

/** Exponential backoff with jitter, capped so a long outage is noticed within ~10 s of its end. */
function retryWait(retries: number): Promise<void> {
  const delay = Math.min(1000 * 2 ** retries, 8000) + Math.random() * 1000;
  return new Promise((resolve) => setTimeout(resolve, delay));
}

/** One socket for every subscription; it connects eagerly and never gives up. */
export const wsClient = createWsClient({
  url: wsUrl,
  lazy: false,
  retryAttempts: Number.POSITIVE_INFINITY,
  shouldRetry: () => true,
  retryWait,
  on: {
    connected: () => connection.markConnected(),
    closed: () => connection.markClosed(),
  },
});

/**
 * Queries and mutations go over HTTP POST, subscriptions over the socket. There is no cache
 * exchange: the state classes in lib/state are the cache.
 */
export const client = new Client({
  url: httpUrl,
  preferGetMethod: false,
  requestPolicy: 'network-only',
  exchanges: [
    subscriptionExchange({
      forwardSubscription(request) {
        const payload = { ...request, query: request.query ?? '' };
        return {
          subscribe(sink) {
            const unsubscribe = wsClient.subscribe(payload, sink);
            return { unsubscribe };
          },
        };
      },
    }),
    fetchExchange,
  ],
});
