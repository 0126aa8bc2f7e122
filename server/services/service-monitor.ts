import type { Logger } from 'pino';
import type { ServiceName } from '../config.js';
import type { EventBus } from '../events/bus.js';

export type ServiceState = 'UP' | 'DOWN' | 'NOT_CONFIGURED';

export interface ServiceHealthView {
  readonly name: ServiceName;
  readonly displayName: string;
  readonly state: ServiceState;
  readonly baseUrl: string | null;
  readonly latencyMs: number | null;
  readonly lastError: string | null;
  readonly checkedAt: Date | null;
}

const DISPLAY_NAMES: Record<ServiceName, string> = {
  spotify: 'Spotify',
  slskd: 'Soulseek (slskd)',
  musicbrainz: 'MusicBrainz',
  coverart: 'Cover Art Archive',
  deezer: 'Deezer',
};

export const SERVICE_NAMES = Object.keys(DISPLAY_NAMES) as ServiceName[];

/** Reachable with any answer below 500 (401 from an API without credentials is reachable). */
export function probeVerdict(status: number): { up: boolean; error: string | null } {
  return status < 500 ? { up: true, error: null } : { up: false, error: `HTTP ${status}` };
}

/**
 * Probes each configured service's base URL on a schedule (an HTTP GET with a timeout) and
 * keeps the latest result; services without a URL say NOT_CONFIGURED and are never probed.
 */
export class ServiceMonitor {
  private results: ServiceHealthView[];
  private timer: NodeJS.Timeout | null = null;
  private round: Promise<void> | null = null;
  private firstRound: Promise<void> | null = null;

  constructor(
    /** The base URLs now (they may change at run time: the SPA's service settings). */
    private readonly urls: () => Record<ServiceName, string | undefined>,
    private readonly bus: EventBus,
    private readonly log: Logger,
    private readonly options: {
      intervalSeconds: number;
      timeoutMs: number;
      /** A service's own check instead of a plain GET of its URL (throws when it is down; e.g. slskd with its API key). */
      probes?: Partial<Record<ServiceName, (signal: AbortSignal) => Promise<unknown>>>;
    },
  ) {
    this.results = this.fresh([]);
  }

  /** Results for the current URLs: unchanged ones kept, new or changed ones "not probed yet". */
  private fresh(previous: readonly ServiceHealthView[]): ServiceHealthView[] {
    const urls = this.urls();
    return SERVICE_NAMES.map((name) => {
      const url = urls[name] ?? null;
      const prev = previous.find((r) => r.name === name);
      if (prev && prev.baseUrl === url) return prev;
      return {
        name,
        displayName: DISPLAY_NAMES[name],
        state: url ? 'DOWN' : 'NOT_CONFIGURED',
        baseUrl: url,
        latencyMs: null,
        lastError: url ? 'not probed yet' : null,
        checkedAt: null,
      };
    });
  }

  isConfigured(name: ServiceName): boolean {
    return Boolean(this.urls()[name]);
  }

  start(): void {
    this.firstRound = this.probeAll();
    this.timer = setInterval(() => void this.probeAll(), this.options.intervalSeconds * 1000);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** The latest results; waits for the first round so a fresh start does not report stale guesses. */
  async current(): Promise<readonly ServiceHealthView[]> {
    if (this.firstRound) await this.firstRound;
    return this.results;
  }

  snapshot(): readonly ServiceHealthView[] {
    return this.results;
  }

  /** Probes every configured service once (concurrent rounds share one run). */
  probeAll(): Promise<void> {
    this.round ??= this.runRound().finally(() => {
      this.round = null;
    });
    return this.round;
  }

  private async runRound(): Promise<void> {
    this.results = await Promise.all(this.fresh(this.results).map((r) => (r.baseUrl ? this.probe(r) : Promise.resolve(r))));
    this.bus.publish('services:probed', this.results);
  }

  private async probe(prev: ServiceHealthView): Promise<ServiceHealthView> {
    const started = performance.now();
    const checkedAt = new Date();
    try {
      const signal = AbortSignal.timeout(this.options.timeoutMs);
      const custom = this.options.probes?.[prev.name];
      await (custom ? custom(signal) : probeUrl(prev.baseUrl as string, signal));
      return { ...prev, state: 'UP', latencyMs: Math.round(performance.now() - started), lastError: null, checkedAt };
    } catch (err) {
      const cause = err instanceof Error ? ((err.cause as Error | undefined)?.message ?? err.message) : String(err);
      this.log.debug({ service: prev.name, err: cause }, 'service probe failed');
      return { ...prev, state: 'DOWN', latencyMs: null, lastError: cause, checkedAt };
    }
  }
}

/** The plain probe: a GET of the URL; throws when it is unreachable or answers 500 or more. */
export async function probeUrl(url: string, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { method: 'GET', redirect: 'manual', signal, headers: { 'user-agent': 'Roadie/0.1 (service probe)' } });
  await res.body?.cancel();
  const verdict = probeVerdict(res.status);
  if (!verdict.up) throw new Error(verdict.error ?? `HTTP ${res.status}`);
}
