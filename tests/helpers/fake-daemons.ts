import { Daemon, type CycleContext, type DaemonEnv, type DetailsBase } from '../../server/daemons/base.js';
import type { DaemonDetails } from '../../server/daemons/details.js';
import type { DaemonCategory, DaemonDefinition } from '../../server/domain/daemons/catalog.js';

export interface FakeDaemonOptions {
  key: string;
  priority?: number;
  required?: boolean;
  dependsOn?: string[];
  category?: DaemonCategory;
  defaultEnabled?: boolean;
  /** Seconds between cycles; 3600 unless given (tests trigger cycles with runWorkerNow). */
  intervalSeconds?: number;
  /** One cycle; `n` counts cycles from 1. Default: returns at once. */
  cycle?: (ctx: CycleContext, n: number) => Promise<string | void>;
  /** Runs on every start and restart; `n` counts calls from 1. */
  setUp?: (n: number) => Promise<void>;
  /** Replaces the details (e.g. to make them throw). */
  details?: (base: DetailsBase) => DaemonDetails;
}

/** A small daemon whose behaviour the test chooses. Shows up as QueueDispatcherDetails. */
export class FakeDaemon extends Daemon<{ cycles: number }> {
  readonly definition: DaemonDefinition;
  setUpCalls = 0;

  constructor(
    env: DaemonEnv,
    private readonly opts: FakeDaemonOptions,
  ) {
    super(env);
    this.definition = {
      key: opts.key,
      displayName: `Fake ${opts.key}`,
      category: opts.category ?? 'MAINTENANCE',
      priority: opts.priority ?? 50,
      required: opts.required ?? false,
      dependsOn: opts.dependsOn ?? [],
      defaultEnabled: opts.defaultEnabled ?? true,
      defaultIntervalSeconds: opts.intervalSeconds ?? 3600,
    };
  }

  protected initialStats(): { cycles: number } {
    return { cycles: 0 };
  }

  override async setUp(): Promise<void> {
    this.setUpCalls += 1;
    await this.opts.setUp?.(this.setUpCalls);
  }

  async cycle(ctx: CycleContext): Promise<string | void> {
    this.stats.cycles += 1;
    return this.opts.cycle?.(ctx, this.stats.cycles);
  }

  details(base: DetailsBase): DaemonDetails {
    if (this.opts.details) return this.opts.details(base);
    return { ...base, kind: 'queue_dispatcher', jobsDispatched: this.stats.cycles };
  }
}

/** `startTestApp({ daemons: fakes({...}, {...}) })` */
export function fakes(...list: FakeDaemonOptions[]): (env: DaemonEnv) => FakeDaemon[] {
  return (env) => list.map((o) => new FakeDaemon(env, o));
}
