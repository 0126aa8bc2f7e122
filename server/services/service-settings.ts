import { z } from 'zod';
import type { Config, ServiceName } from '../config.js';
import type { SettingsRepository } from '../db/repositories/settings.repository.js';
import type { SoulseekRepository } from '../db/repositories/soulseek.repository.js';
import { createSecretBox, type SecretBox } from '../domain/spotify/secret-box.js';
import type { SoulseekBackend } from '../downloads/soulseek.js';
import type { EventBus } from '../events/bus.js';
import { MusicBrainzClient } from '../integrations/musicbrainz.js';
import { SlskdClient } from '../integrations/slskd.js';

/** The service connections a user sets in the SPA (each falls back to its environment variable). */
export interface ServiceConnection {
  readonly slskdUrl: string | null;
  readonly slskdApiKey: string | null;
  readonly slskdDownloadsDir: string | null;
  readonly musicbrainzUrl: string | null;
  readonly musicbrainzContact: string | null;
}

/** What the API shows: never the key, only whether one is set. */
export interface ServiceConnectionView extends Omit<ServiceConnection, 'slskdApiKey'> {
  readonly slskdApiKeySet: boolean;
  /** Where each value comes from: set here (SETTINGS), from the environment (ENVIRONMENT), or not at all (UNSET). */
  readonly sources: Readonly<Record<keyof ServiceConnection, 'SETTINGS' | 'ENVIRONMENT' | 'UNSET'>>;
}

/** A change: a value sets it, "" clears what was set here (the environment's value applies again), absent keeps it. */
export type ServiceConnectionPatch = Partial<Record<keyof ServiceConnection, string>>;

const KEY = 'services.connection';
const FIELDS = ['slskdUrl', 'slskdApiKey', 'slskdDownloadsDir', 'musicbrainzUrl', 'musicbrainzContact'] as const;
const url = z.url({ protocol: /^https?$/ }).max(2000);
const RULES: Record<keyof ServiceConnection, z.ZodType<string>> = {
  slskdUrl: url,
  slskdApiKey: z.string().min(1).max(500),
  slskdDownloadsDir: z.string().min(1).max(2000).refine((p) => p.startsWith('/'), 'an absolute path'),
  musicbrainzUrl: url,
  musicbrainzContact: z.string().trim().min(3).max(200),
};

export class InvalidServiceSettingError extends Error {
  constructor(
    readonly argument: keyof ServiceConnection,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The slskd and MusicBrainz connections: the environment's values, overridden by what was set
 * in the SPA (stored in app_settings; the slskd key sealed when ROADIE_SECRET_KEY is set). The
 * clients are built from the current values and rebuilt when they change, so a change applies
 * without a restart.
 */
export class ServiceSettings {
  #stored: Partial<Record<keyof ServiceConnection, string>> = {};
  #slskd: { key: string; client: SlskdClient } | null = null;
  #mb: { key: string; client: MusicBrainzClient } | null = null;
  readonly #box: SecretBox | null;

  constructor(
    private readonly config: Config,
    private readonly repo: SettingsRepository,
    private readonly transfers: SoulseekRepository,
    private readonly bus: EventBus,
  ) {
    this.#box = config.secretKey ? createSecretBox(config.secretKey) : null;
  }

  async load(): Promise<void> {
    const stored = (await this.repo.get<Partial<Record<keyof ServiceConnection, string>>>(KEY)) ?? {};
    if (stored.slskdApiKey && this.#box) {
      try {
        stored.slskdApiKey = this.#box.open(stored.slskdApiKey, KEY);
      } catch {
        delete stored.slskdApiKey; // sealed with another key: as if never set
      }
    }
    this.#stored = stored;
  }

  /** The values in force. */
  current(): ServiceConnection {
    const env: ServiceConnection = {
      slskdUrl: this.config.services.slskd ?? null,
      slskdApiKey: this.config.slskdApiKey,
      slskdDownloadsDir: this.config.slskdDownloadsDir,
      musicbrainzUrl: this.config.services.musicbrainz ?? null,
      musicbrainzContact: this.config.musicbrainz.contact,
    };
    return Object.fromEntries(FIELDS.map((f) => [f, this.#stored[f] ?? env[f]])) as unknown as ServiceConnection;
  }

  view(): ServiceConnectionView {
    const c = this.current();
    const env = this.config;
    const fromEnv: Record<keyof ServiceConnection, boolean> = {
      slskdUrl: !!env.services.slskd,
      slskdApiKey: !!env.slskdApiKey,
      slskdDownloadsDir: !!env.slskdDownloadsDir,
      musicbrainzUrl: !!env.services.musicbrainz,
      musicbrainzContact: !!env.musicbrainz.contact,
    };
    const sources = Object.fromEntries(FIELDS.map((f) => [f, this.#stored[f] !== undefined ? 'SETTINGS' : fromEnv[f] ? 'ENVIRONMENT' : 'UNSET'])) as ServiceConnectionView['sources'];
    return {
      slskdUrl: c.slskdUrl,
      slskdApiKeySet: c.slskdApiKey !== null,
      slskdDownloadsDir: c.slskdDownloadsDir,
      musicbrainzUrl: c.musicbrainzUrl,
      musicbrainzContact: c.musicbrainzContact,
      sources,
    };
  }

  /** Applies a change (all or nothing); throws InvalidServiceSettingError naming the bad field. */
  async update(patch: ServiceConnectionPatch): Promise<ServiceConnectionView> {
    const next = { ...this.#stored };
    for (const f of FIELDS) {
      const v = patch[f];
      if (v === undefined) continue;
      if (v.trim() === '') {
        delete next[f];
        continue;
      }
      const r = RULES[f].safeParse(v.trim());
      if (!r.success) throw new InvalidServiceSettingError(f, `${f}: ${r.error.issues[0]?.message ?? 'invalid'}`);
      next[f] = r.data;
    }
    const toStore = { ...next, ...(next.slskdApiKey && this.#box ? { slskdApiKey: this.#box.seal(next.slskdApiKey, KEY) } : {}) };
    await this.repo.set(KEY, toStore);
    this.#stored = next;
    const view = this.view();
    this.bus.publish('services:settings', view);
    return view;
  }

  /** The base URL each service is probed at now. */
  urls(): Record<ServiceName, string | undefined> {
    const c = this.current();
    return { ...this.config.services, slskd: c.slskdUrl ?? undefined, musicbrainz: c.musicbrainzUrl ?? undefined };
  }

  /** slskd's client, when its URL and key are set. */
  slskdClient(): SlskdClient | null {
    const { slskdUrl, slskdApiKey } = this.current();
    if (!slskdUrl || !slskdApiKey) return null;
    const key = `${slskdUrl}\u0000${slskdApiKey}`;
    if (this.#slskd?.key !== key) {
      this.#slskd = { key, client: new SlskdClient({ baseUrl: slskdUrl, apiKey: slskdApiKey, timeoutMs: this.config.serviceProbeTimeoutMs, pollMs: this.config.slskdPollMs }) };
    }
    return this.#slskd.client;
  }

  /** slskd as the download backend: its client and the folder its downloads land in. */
  soulseek(): SoulseekBackend | null {
    const client = this.slskdClient();
    const dir = this.current().slskdDownloadsDir;
    return client && dir ? { client, transfers: this.transfers, downloadsDir: dir } : null;
  }

  /** What slskd as the download backend still needs (names as in the Settings page and the environment). */
  soulseekMissing(): string[] {
    const c = this.current();
    return [!c.slskdUrl && 'ROADIE_SLSKD_URL', !c.slskdApiKey && 'ROADIE_SLSKD_API_KEY', !c.slskdDownloadsDir && 'ROADIE_SLSKD_DOWNLOADS_DIR'].filter((x): x is string => !!x);
  }

  musicbrainzClient(): MusicBrainzClient | null {
    const { musicbrainzUrl, musicbrainzContact } = this.current();
    if (!musicbrainzUrl || !musicbrainzContact) return null;
    const key = `${musicbrainzUrl}\u0000${musicbrainzContact}`;
    if (this.#mb?.key !== key) {
      this.#mb = {
        key,
        client: new MusicBrainzClient({ baseUrl: musicbrainzUrl, userAgent: 'Roadie/0.1.0', contact: musicbrainzContact, minIntervalMs: this.config.musicbrainz.minIntervalMs }),
      };
    }
    return this.#mb.client;
  }

  musicbrainzMissing(): string[] {
    const c = this.current();
    return [!c.musicbrainzUrl && 'ROADIE_MUSICBRAINZ_URL', !c.musicbrainzContact && 'ROADIE_MUSICBRAINZ_CONTACT'].filter((x): x is string => !!x);
  }
}
