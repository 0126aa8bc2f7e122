import { ServicesQuery, ServicesUpdatedSubscription } from '../graphql/documents.js';
import { LiveList } from './live-value.svelte.js';

/** External services and their last probe: a snapshot, then every probe round live. */
export const services = new LiveList(
  ServicesQuery,
  (d) => d.services,
  ServicesUpdatedSubscription,
  (d) => d.servicesUpdated,
);
