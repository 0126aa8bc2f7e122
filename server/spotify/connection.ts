import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { SpotifyAccountRepository, StoredSpotifyAccount } from '../db/repositories/spotify-account.repository.js';
import { authorizeUrl, challengeOf, makeState, makeVerifier, needsRefresh, REFRESH_WITHIN_MS, ROADIE_SPOTIFY_SCOPES } from '../domain/spotify/pkce.js';
import { createSecretBox, type SecretBox } from '../domain/spotify/secret-box.js';
import type { EventBus } from '../events/bus.js';
import { probeUrl } from '../services/service-monitor.js';
import { SpotifyApiClient, SpotifyAuthClient, SpotifyError, type SpotifyApiClientOptions, type SpotifyTokens } from '../integrations/spotify.js';

/** Where Spotify sends the browser back to (on Roadie's own port). */
export const SPOTIFY_CALLBACK_PATH = '/api/spotify/callback';
/** How long an authorize round trip may take before its state is forgotten. */
export const PENDING_TTL_MS = 10 * 60_000;
/** At most this many round trips open at once (the oldest is dropped). */
const MAX_PENDING = 16;
/** An access token this close to expiring is refreshed before it is handed to an API client. */
const USE_MARGIN_MS = 60_000;

export type SpotifyLinkState = 'NOT_CONFIGURED' | 'DISCONNECTED' | 'CONNECTED' | 'REVOKED';

/** What the API and the SPA see of the link: never a token. */
export interface SpotifyAccountView {
  readonly state: SpotifyLinkState;
  /** The configuration the connect flow still needs (variable names). */
  readonly missing: readonly string[];
  /** The redirect URI to register for the Spotify app. */
  readonly redirectUri: string;
  readonly userId: string | null;
  readonly displayName: string | null;
  readonly scopes: readonly string[];
  readonly expiresAt: Date | null;
  readonly connectedAt: Date | null;
  readonly refreshedAt: Date | null;
  readonly revokedAt: Date | null;
  readonly lastError: string | null;
}

export type SpotifyConnectErrorCode = 'not_configured' | 'unknown_state' | 'denied' | 'exchange_failed';

export class SpotifyConnectError extends Error {
  override name = 'SpotifyConnectError';
  constructor(
    readonly code: SpotifyConnectErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** What a Token Refresh cycle did. */
export type RefreshOutcome =
  | { readonly outcome: 'not_configured' | 'not_connected' }
  | { readonly outcome: 'fresh' | 'refreshed'; readonly expiresAt: Date };

interface Deps {
  readonly config: Config;
  readonly repo: SpotifyAccountRepository;
  readonly bus: EventBus;
  readonly logger: Logger;
  /** Roadie's own address when ROADIE_PUBLIC_URL is not set (known once the server listens). */
  readonly ownUrl: () => string;
  readonly now?: () => number;
}

/** Sealed-token contexts: a sealed refresh token cannot be opened as an access token, or the other way. */
const ACCESS = 'spotify:access_token';
const REFRESH = 'spotify:refresh_token';

/**
 * The link to the user's Spotify account: the Authorization Code with PKCE round trip (a
 * verifier per state, kept in memory for ten minutes), the tokens stored sealed, their refresh
 * (one at a time: Spotify's refresh tokens may work once), and disconnect. Publishes
 * 'spotify:account' with the new view after every change.
 */
export class SpotifyConnection {
  readonly #d: Deps;
  readonly #now: () => number;
  readonly #pending = new Map<string, { verifier: string; redirectUri: string; expiresAt: number }>();
  readonly #auth: SpotifyAuthClient | null;
  readonly #box: SecretBox | null;
  #refreshing: Promise<RefreshOutcome> | null = null;

  constructor(d: Deps) {
    this.#d = d;
    this.#now = d.now ?? Date.now;
    const { clientId, accountsUrl } = d.config.spotify;
    this.#auth = clientId ? new SpotifyAuthClient({ clientId, accountsBaseUrl: accountsUrl, now: this.#now }) : null;
    this.#box = d.config.secretKey ? createSecretBox(d.config.secretKey) : null;
  }

  /** The variables the connect flow needs that are not set. */
  missing(): string[] {
    const m: string[] = [];
    if (!this.#d.config.spotify.clientId) m.push('ROADIE_SPOTIFY_CLIENT_ID');
    if (!this.#d.config.secretKey) m.push('ROADIE_SECRET_KEY');
    return m;
  }

  redirectUri(): string {
    return `${this.#d.config.publicUrl ?? this.#d.ownUrl()}${SPOTIFY_CALLBACK_PATH}`;
  }

  /** An API client that uses (and refreshes when needed) the stored access token. */
  api(o: Omit<SpotifyApiClientOptions, 'apiBaseUrl' | 'accessToken'> = {}): SpotifyApiClient {
    return new SpotifyApiClient({ ...o, apiBaseUrl: this.#d.config.spotify.apiUrl, accessToken: () => this.accessToken() });
  }

  /** The service probe: with an account linked, /me with its token; otherwise a plain GET of the API. */
  async probe(signal: AbortSignal): Promise<void> {
    const account = this.missing().length ? null : await this.#d.repo.get();
    if (!account) return probeUrl(this.#d.config.spotify.apiUrl, signal);
    if (account.revokedAt) throw new Error('Spotify access was revoked: connect it again in Settings');
    await this.api().me({ signal });
  }

  async view(): Promise<SpotifyAccountView> {
    return this.#viewOf(await this.#d.repo.get());
  }

  /** Starts a round trip: the URL to send the browser to. */
  begin(): { authorizeUrl: string; redirectUri: string } {
    const { clientId } = this.#configured();
    const now = this.#now();
    for (const [state, p] of this.#pending) if (p.expiresAt <= now) this.#pending.delete(state);
    while (this.#pending.size >= MAX_PENDING) this.#pending.delete(this.#pending.keys().next().value as string);
    const verifier = makeVerifier();
    const state = makeState();
    const redirectUri = this.redirectUri();
    this.#pending.set(state, { verifier, redirectUri, expiresAt: now + PENDING_TTL_MS });
    const url = authorizeUrl({
      accountsBaseUrl: this.#d.config.spotify.accountsUrl,
      clientId,
      redirectUri,
      scopes: ROADIE_SPOTIFY_SCOPES,
      state,
      challenge: challengeOf(verifier),
    });
    return { authorizeUrl: url, redirectUri };
  }

  /** Finishes a round trip with what the callback received; each state works once. */
  async complete(q: { code: string | null; state: string | null; error: string | null }): Promise<SpotifyAccountView> {
    const { auth, box } = this.#configured();
    const pending = q.state ? this.#pending.get(q.state) : undefined;
    if (q.state) this.#pending.delete(q.state);
    if (!pending || pending.expiresAt <= this.#now()) {
      throw new SpotifyConnectError('unknown_state', 'This Spotify sign-in is unknown or expired (over 10 minutes, or already used): start it again from Settings.');
    }
    if (q.error) throw new SpotifyConnectError('denied', `Spotify did not grant access (${q.error}).`);
    if (!q.code) throw new SpotifyConnectError('exchange_failed', 'Spotify sent no authorization code.');
    let tokens: SpotifyTokens;
    let user: { id: string; displayName: string | null };
    try {
      tokens = await auth.exchangeCode(q.code, pending.verifier, pending.redirectUri);
      const me = await new SpotifyApiClient({ apiBaseUrl: this.#d.config.spotify.apiUrl, accessToken: () => tokens.accessToken }).me();
      user = { id: me.id, displayName: me.displayName };
    } catch (err) {
      throw new SpotifyConnectError('exchange_failed', `Connecting Spotify failed: ${(err as Error).message}`, { cause: err });
    }
    await this.#d.repo.connect({
      spotifyUserId: user.id,
      displayName: user.displayName,
      scopes: tokens.scope,
      accessTokenSealed: box.seal(tokens.accessToken, ACCESS),
      refreshTokenSealed: box.seal(tokens.refreshToken, REFRESH),
      expiresAt: new Date(tokens.expiresAt),
      at: new Date(this.#now()),
    });
    this.#d.logger.info({ spotifyUser: user.id }, 'Spotify connected');
    return this.#publish();
  }

  async disconnect(): Promise<SpotifyAccountView> {
    if (await this.#d.repo.remove()) this.#d.logger.info('Spotify disconnected');
    return this.#publish();
  }

  /**
   * The Token Refresh daemon's step: refreshes when the access token expires within `withinMs`.
   * A refused refresh token marks the account REVOKED and throws SpotifyError('revoked').
   */
  refreshIfDue(withinMs = REFRESH_WITHIN_MS): Promise<RefreshOutcome> {
    this.#refreshing ??= this.#refresh(withinMs).finally(() => {
      this.#refreshing = null;
    });
    return this.#refreshing;
  }

  /** The access token for an API call, refreshed first when it is (nearly) expired. */
  async accessToken(): Promise<string> {
    const { box } = this.#configured();
    let account = await this.#d.repo.get();
    if (account && !account.revokedAt && needsRefresh(account.expiresAt, this.#now(), USE_MARGIN_MS)) {
      await this.refreshIfDue(USE_MARGIN_MS);
      account = await this.#d.repo.get();
    }
    if (!account) throw new SpotifyError('accounts', 'revoked', 'Spotify is not connected: connect it in Settings');
    if (account.revokedAt) throw new SpotifyError('accounts', 'revoked', 'Spotify access was revoked: connect it again in Settings');
    return box.open(account.accessTokenSealed, ACCESS);
  }

  async #refresh(withinMs: number): Promise<RefreshOutcome> {
    if (this.missing().length) return { outcome: 'not_configured' };
    const { auth, box } = this.#configured();
    const account = await this.#d.repo.get();
    if (!account) return { outcome: 'not_connected' };
    if (account.revokedAt) throw new SpotifyError('accounts', 'revoked', `Spotify access was revoked: connect it again in Settings (${account.lastError ?? 'refresh token refused'})`);
    if (!needsRefresh(account.expiresAt, this.#now(), withinMs)) return { outcome: 'fresh', expiresAt: account.expiresAt };
    const from = account.refreshTokenSealed;
    let tokens: SpotifyTokens;
    try {
      tokens = await auth.refresh(box.open(from, REFRESH));
    } catch (err) {
      const message = (err as Error).message;
      if (err instanceof SpotifyError && err.code === 'revoked') {
        if (await this.#d.repo.revoked(from, message, new Date(this.#now()))) await this.#publish();
        this.#d.logger.warn({ err: message }, 'Spotify refused the refresh token');
        throw new SpotifyError('accounts', 'revoked', `Spotify access was revoked: connect it again in Settings (${message})`, err.status, null, err.oauthError, { cause: err });
      }
      if (await this.#d.repo.failed(from, message)) await this.#publish();
      throw err;
    }
    const expiresAt = new Date(tokens.expiresAt);
    const stored = await this.#d.repo.refreshed(from, {
      accessTokenSealed: box.seal(tokens.accessToken, ACCESS),
      refreshTokenSealed: tokens.refreshTokenRotated ? box.seal(tokens.refreshToken, REFRESH) : from,
      expiresAt,
      scopes: tokens.scope.length ? tokens.scope : account.scopes,
      at: new Date(this.#now()),
    });
    // Not stored: the account was disconnected or connected anew meanwhile; that one stands.
    if (!stored) return { outcome: 'not_connected' };
    await this.#publish();
    return { outcome: 'refreshed', expiresAt };
  }

  #configured(): { clientId: string; auth: SpotifyAuthClient; box: SecretBox } {
    const missing = this.missing();
    if (missing.length || !this.#auth || !this.#box || !this.#d.config.spotify.clientId) {
      throw new SpotifyConnectError('not_configured', `Spotify is not configured: set ${missing.join(' and ')}.`);
    }
    return { clientId: this.#d.config.spotify.clientId, auth: this.#auth, box: this.#box };
  }

  async #publish(): Promise<SpotifyAccountView> {
    const view = await this.view();
    this.#d.bus.publish('spotify:account', view);
    return view;
  }

  #viewOf(a: StoredSpotifyAccount | null): SpotifyAccountView {
    const missing = this.missing();
    const state: SpotifyLinkState = missing.length ? 'NOT_CONFIGURED' : !a ? 'DISCONNECTED' : a.revokedAt ? 'REVOKED' : 'CONNECTED';
    return {
      state,
      missing,
      redirectUri: this.redirectUri(),
      userId: a?.spotifyUserId ?? null,
      displayName: a?.displayName ?? null,
      scopes: a?.scopes ?? [],
      expiresAt: a?.expiresAt ?? null,
      connectedAt: a?.connectedAt ?? null,
      refreshedAt: a?.refreshedAt ?? null,
      revokedAt: a?.revokedAt ?? null,
      lastError: a?.lastError ?? null,
    };
  }
}
