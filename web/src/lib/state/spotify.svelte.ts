import { client } from '../graphql/client.js';
import {
  ConnectSpotifyMutation,
  DisconnectSpotifyMutation,
  SpotifyChangedSubscription,
  SpotifyQuery,
} from '../graphql/documents.js';
import type { SpotifyAccount } from '../graphql/types.js';
import { parseSpotifyReturn, type SpotifyReturn } from '../spotify-return.js';
import { confirmation } from './confirm.svelte.js';
import { LiveValue } from './live-value.svelte.js';
import type { ControlFeedback } from './workers.svelte.js';

/**
 * The link to the Spotify account: the spotifyChanged subscription sends the link first, then
 * after every connect, refresh, revocation or disconnect (from any client or the daemon).
 */
class SpotifyState extends LiveValue<SpotifyAccount | null, { spotify: SpotifyAccount }, { spotifyChanged: SpotifyAccount }> {
  /** A connect or disconnect is in flight. */
  busy = $state(false);
  /** A refused connect or a failed disconnect, shown above the section. */
  feedback = $state<ControlFeedback | null>(null);
  /** How the last round trip through Spotify ended (read once from the address). */
  returned = $state<SpotifyReturn | null>(null);

  constructor() {
    // the subscription sends the link first
    super(SpotifyQuery, (d) => d.spotify, SpotifyChangedSubscription, (d) => d.spotifyChanged, null, false);
  }

  /** Null until read. */
  get account(): SpotifyAccount | null {
    return this.value;
  }

  /**
   * Takes the callback's outcome from the address (`?spotify=…`) and removes the query string,
   * so a reload does not announce it again.
   */
  takeReturn(): void {
    const outcome = parseSpotifyReturn(location.search);
    if (!outcome) return;
    this.returned = outcome;
    history.replaceState(null, '', location.pathname + location.hash);
  }

  dismissReturn(): void {
    this.returned = null;
  }

  dismissFeedback(): void {
    this.feedback = null;
  }

  /** Asks the server for an authorize URL and sends the browser there (Spotify brings it back). */
  async connect(): Promise<void> {
    this.busy = true;
    this.feedback = null;
    this.returned = null;
    let leaving = false;
    try {
      const response = await client.mutation(ConnectSpotifyMutation, {}).toPromise();
      const result = response.data?.result;
      if (!result) {
        this.feedback = { tone: 'error', message: response.error?.message ?? 'No response' };
      } else if (result.__typename === 'SpotifyNotConfiguredError') {
        this.feedback = { tone: 'error', message: result.message };
      } else {
        // The button stays busy while the browser leaves for Spotify.
        leaving = true;
        window.location.href = result.authorizeUrl;
      }
    } finally {
      if (!leaving) this.busy = false;
    }
  }

  /** Forgets the linked account and its tokens, after a yes. */
  async disconnect(): Promise<void> {
    const name = this.account?.displayName ?? this.account?.userId ?? 'Spotify';
    if (!(await confirmation.ask({ kind: 'disconnect-spotify', account: name }))) return;
    this.busy = true;
    this.feedback = null;
    this.returned = null;
    try {
      const response = await client.mutation(DisconnectSpotifyMutation, {}).toPromise();
      if (response.data) this.receive(response.data.result);
      else this.feedback = { tone: 'error', message: response.error?.message ?? 'No response' };
    } finally {
      this.busy = false;
    }
  }
}

export const spotify = new SpotifyState();
