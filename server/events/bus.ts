import { createPubSub, type PubSub, type PubSubEventTarget } from 'graphql-yoga';
import type { Topics } from './topics.js';

export type EventBus = PubSub<Topics>;

/**
 * The typed event bus. Local (in-process EventTarget) by default; an EventTarget from
 * @graphql-yoga/redis-event-target carries the same topics between processes.
 */
export function createEventBus(eventTarget?: PubSubEventTarget<Topics>): EventBus {
  return createPubSub<Topics>(eventTarget ? { eventTarget } : undefined);
}
