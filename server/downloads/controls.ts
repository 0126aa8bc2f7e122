import type { SettingsRepository } from '../db/repositories/settings.repository.js';
import type { EventBus } from '../events/bus.js';
import type { RateLimiter } from './rate-limiter.js';

const LIMIT_KEY = 'download.speedLimitBytesPerSec';
/** 10 GB/s: far above any disk; a larger number is a typo. */
export const MAX_SPEED_LIMIT = 10_000_000_000;

export type SpeedLimitResult = { ok: true; bytesPerSecond: number } | { ok: false; error: { kind: 'invalidArgument'; argument: string; message: string } };

/** The global download speed limit: persisted, applied live to every download worker. */
export class DownloadControls {
  constructor(
    private readonly limiter: RateLimiter,
    private readonly settings: SettingsRepository,
    private readonly bus: EventBus,
  ) {}

  /** Applies the persisted limit (at start). */
  async load(): Promise<void> {
    this.limiter.setLimit((await this.settings.get<number>(LIMIT_KEY)) ?? 0);
  }

  get speedLimit(): number {
    return this.limiter.limit;
  }

  async setSpeedLimit(bytesPerSecond: number): Promise<SpeedLimitResult> {
    if (!Number.isInteger(bytesPerSecond) || bytesPerSecond < 0 || bytesPerSecond > MAX_SPEED_LIMIT) {
      return { ok: false, error: { kind: 'invalidArgument', argument: 'bytesPerSecond', message: `bytesPerSecond must be a whole number from 0 (unlimited) to ${MAX_SPEED_LIMIT}` } };
    }
    await this.settings.set(LIMIT_KEY, bytesPerSecond);
    this.limiter.setLimit(bytesPerSecond);
    this.bus.publish('downloads:limit', { bytesPerSecond });
    return { ok: true, bytesPerSecond };
  }
}
