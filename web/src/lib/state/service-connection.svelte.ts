import { client } from '../graphql/client.js';
import { ServiceConnectionQuery, UpdateServiceConnectionMutation } from '../graphql/documents.js';
import {
  CONNECTION_FIELDS,
  type ConnectionField,
  type ServiceConnection,
  type ServiceConnectionInput,
} from '../graphql/types.js';
import { connection } from './connection.svelte.js';
import type { ControlFeedback } from './workers.svelte.js';

function isConnectionField(name: string): name is ConnectionField {
  return (CONNECTION_FIELDS as readonly string[]).includes(name);
}

/**
 * The slskd and MusicBrainz connections as the settings page edits them: read when the page
 * opens (and after a reconnect), replaced by what every successful change returns. There is no
 * subscription: the services' UP/DOWN arrives through the services state.
 */
class ServiceConnectionState {
  /** Null until read. */
  connection = $state.raw<ServiceConnection | null>(null);
  loadError = $state<string | null>(null);
  /** A change is in flight. */
  saving = $state(false);
  /** Why the server refused a field (InvalidArgumentError), by field; nothing was changed. */
  errors = $state<Partial<Record<ConnectionField, string>>>({});
  /** A failure no field explains (network, an unexpected error). */
  feedback = $state<ControlFeedback | null>(null);
  /** The last change was taken; cleared by the next edit. */
  saved = $state(false);

  follow(): () => void {
    void this.refresh();
    return connection.onReconnect(() => void this.refresh());
  }

  async refresh(): Promise<void> {
    const result = await client.query(ServiceConnectionQuery, {}, { requestPolicy: 'network-only' }).toPromise();
    if (result.data) {
      this.connection = result.data.serviceConnection;
      this.loadError = null;
    } else {
      this.loadError = result.error?.message ?? 'No data';
    }
  }

  /** Sends a change (only the fields in `input`); true when the server took it. */
  async update(input: ServiceConnectionInput): Promise<boolean> {
    this.saving = true;
    this.saved = false;
    this.feedback = null;
    try {
      const response = await client.mutation(UpdateServiceConnectionMutation, { input }).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.feedback = { tone: 'error', message: response.error?.message ?? 'No response' };
        return false;
      }
      if (result.__typename === 'InvalidArgumentError') {
        if (isConnectionField(result.argument)) this.errors = { [result.argument]: result.message };
        else this.feedback = { tone: 'error', message: result.message };
        return false;
      }
      this.connection = result.connection;
      this.errors = {};
      this.saved = true;
      return true;
    } finally {
      this.saving = false;
    }
  }

  /** The field was edited: its refusal no longer applies, nor the last confirmation. */
  edited(field: ConnectionField): void {
    this.saved = false;
    if (this.errors[field] !== undefined) {
      const rest = { ...this.errors };
      delete rest[field];
      this.errors = rest;
    }
  }

  dismissFeedback(): void {
    this.feedback = null;
  }
}

export const serviceConnection = new ServiceConnectionState();
