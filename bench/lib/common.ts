import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';

/**
 * Shared pieces of the fan-out benchmark: the IPC messages between the orchestrator
 * (bench/fanout.ts), the server children and the client child, and the event payload.
 */

/** The subscription every GraphQL target serves (Roadie's shape; the stock server mirrors it). */
export const DAEMON_STATUS_QUERY =
  'subscription { daemonStatus(name: "cleanup") { worker { name state status activity { message updatedAt } } } }';

/** graphql-ws ids from createClient are UUIDs; the raw clients use one per socket too. */
export const BARE_MESSAGE_ID = '00000000-0000-4000-8000-000000000000';

/** What a trigger does: one HTTP POST, and a substring every subscriber's event must contain. */
export interface TriggerSpec {
  readonly path: string;
  readonly body: string;
  /** The event that this trigger causes contains this text (e.g. `"state":"RUNNING"`). */
  readonly expect: string;
}

/** How the client process connects to a server and triggers it. */
export interface TargetSpec {
  readonly name: string;
  readonly label: string;
  readonly httpUrl: string; // http://127.0.0.1:port
  readonly wsUrl: string;
  /** 'raw': plain ws, the server sends the snapshot on connect. 'graphql-ws': graphql-transport-ws. */
  readonly protocol: 'raw' | 'graphql-ws';
  readonly query?: string;
  readonly triggers: readonly TriggerSpec[];
}

/** The part of a status event the benchmark subscribes to. */
export interface WorkerData {
  name: string;
  state: string;
  status: string;
  activity: { message: string; updatedAt: string } | null;
}

/** `data` of a `next` message for daemonStatus. */
export interface DaemonStatusData {
  daemonStatus: { worker: WorkerData };
}

/** The two sides of the toggle, as a stock server would render them (overridden by Roadie's). */
export const DEFAULT_TEMPLATE: DaemonStatusData = {
  daemonStatus: {
    worker: {
      name: 'cleanup',
      state: 'RUNNING',
      status: 'IDLE',
      activity: { message: 'Waiting for the next cycle', updatedAt: '2025-01-01T00:00:00.000Z' },
    },
  },
};

/**
 * The worker for side `on` of the toggle (RUNNING ⇄ PAUSED, as Roadie's pause/resume trigger),
 * shaped like the template (same keys, same order, same status).
 */
export function toggledWorker(template: DaemonStatusData, on: boolean, now = new Date()): WorkerData {
  const w = template.daemonStatus.worker;
  return {
    name: w.name,
    state: on ? 'RUNNING' : 'PAUSED',
    status: w.status,
    activity: { message: on ? 'Resumed' : 'Paused', updatedAt: now.toISOString() },
  };
}

/** Byte-for-byte what graphql-ws sends for `next` (JSON.stringify of {id, type, payload}). */
export function nextMessage(id: string, data: DaemonStatusData): string {
  return JSON.stringify({ id, type: 'next', payload: { data } });
}

/** Triggers shared by the bare and stock servers: alternate on/off, expect the matching state. */
export function toggleTriggers(path: string, body: (on: boolean) => string): TriggerSpec[] {
  return [
    { path, body: body(false), expect: '"state":"PAUSED"' },
    { path, body: body(true), expect: '"state":"RUNNING"' },
  ];
}

// ---- IPC: orchestrator ⇄ server child ----

export type ToServer =
  | { cmd: 'rss' }
  | { cmd: 'cpu' }
  | { cmd: 'stop' }
  | { cmd: 'profile-start' }
  | { cmd: 'profile-stop'; file: string }
  | { cmd: 'stats' };

export interface ServerReady {
  ev: 'ready';
  httpUrl: string;
  wsUrl: string;
  protocol: 'raw' | 'graphql-ws';
  query?: string;
  triggers: TriggerSpec[];
  notes?: string[];
}

export type FromServer =
  | ServerReady
  | { ev: 'unavailable'; reason: string }
  | { ev: 'rss'; rss: number; heapUsed: number }
  | { ev: 'cpu'; userUs: number; systemUs: number }
  | { ev: 'profile'; file: string }
  | { ev: 'stats'; stats: Record<string, unknown> }
  | { ev: 'stopped' };

// ---- IPC: orchestrator ⇄ client child ----

export type ToClient =
  | { cmd: 'prepare'; target: TargetSpec; count: number }
  | { cmd: 'connect'; name: string }
  | { cmd: 'run'; names: string[]; warmup: number; rounds: number; quietMs: number; settleMs: number; timeoutMs: number }
  | { cmd: 'close' };

export interface TargetRounds {
  /** Trigger → last of the subscribers has the event, per measured round (ns). */
  samplesNs: number[];
  /** Trigger → first subscriber has it (ns), per measured round. */
  firstNs: number[];
  /** Trigger → HTTP response of the trigger (ns), per measured round. */
  responseNs: number[];
  /** Messages received on this target's sockets per round (after the trigger, until quiet). */
  messagesPerRound: number[];
  /** Client CPU (user+system µs) per measured round, trigger to quiet. */
  clientCpuUs: number[];
  failures: string[];
  /** Size of the event message as received (bytes). */
  eventBytes: number;
  sampleEvent: string;
}

export type FromClient =
  | { ev: 'prepared'; name: string; triggerAloneMedianMs: number }
  | { ev: 'connected'; name: string; ms: number; snapshotBytes: number; snapshot: string }
  | { ev: 'progress'; text: string }
  | { ev: 'results'; byTarget: Record<string, TargetRounds>; clientCpuUs: number }
  | { ev: 'error'; message: string }
  | { ev: 'closed' };

/** Runs a server child: answers the orchestrator's rss/cpu/stop requests. */
export async function runServerChild(
  start: () => Promise<
    { ready: Omit<ServerReady, 'ev'>; stop: () => Promise<void>; stats?: () => Record<string, unknown> } | { unavailable: string }
  >,
): Promise<void> {
  const send = (m: FromServer) => process.send!(m);
  let started: Awaited<ReturnType<typeof start>>;
  try {
    started = await start();
  } catch (error) {
    send({ ev: 'unavailable', reason: error instanceof Error ? (error.stack ?? error.message) : String(error) });
    process.disconnect?.();
    return;
  }
  if ('unavailable' in started) {
    send({ ev: 'unavailable', reason: started.unavailable });
    process.disconnect?.();
    return;
  }
  const { ready, stop, stats } = started;
  const gc = (globalThis as { gc?: () => void }).gc;
  let session: Session | undefined;
  const post = <T>(method: string, params?: object) =>
    new Promise<T>((resolve, reject) => session!.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T))));
  process.on('message', (msg: ToServer) => {
    if (msg.cmd === 'profile-start') {
      void (async () => {
        session = new Session();
        session.connect();
        await post('Profiler.enable');
        await post('Profiler.setSamplingInterval', { interval: 100 });
        await post('Profiler.start');
        send({ ev: 'profile', file: '' });
      })();
      return;
    }
    if (msg.cmd === 'profile-stop') {
      void (async () => {
        const { profile } = await post<{ profile: unknown }>('Profiler.stop');
        writeFileSync(msg.file, JSON.stringify(profile));
        session!.disconnect();
        send({ ev: 'profile', file: msg.file });
      })();
      return;
    }
    if (msg.cmd === 'rss') {
      gc?.();
      gc?.();
      setTimeout(() => {
        const m = process.memoryUsage();
        send({ ev: 'rss', rss: m.rss, heapUsed: m.heapUsed });
      }, 50);
    } else if (msg.cmd === 'stats') {
      send({ ev: 'stats', stats: stats?.() ?? {} });
    } else if (msg.cmd === 'cpu') {
      const c = process.cpuUsage();
      send({ ev: 'cpu', userUs: c.user, systemUs: c.system });
    } else if (msg.cmd === 'stop') {
      const timer = setTimeout(() => process.exit(0), 5000);
      timer.unref();
      stop()
        .catch(() => undefined)
        .finally(() => {
          send({ ev: 'stopped' });
          process.disconnect?.();
          process.exit(0);
        });
    }
  });
  process.on('disconnect', () => process.exit(0));
  send({ ev: 'ready', ...ready });
}

export function parseTemplate(): DaemonStatusData {
  const raw = process.env.BENCH_TEMPLATE;
  if (!raw) return DEFAULT_TEMPLATE;
  return JSON.parse(raw) as DaemonStatusData;
}

/** Machine-wide CPU counters from /proc/stat (Linux), in clock ticks; null elsewhere. */
export function readCpuTicks(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0]!;
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    const idle = (v[3] ?? 0) + (v[4] ?? 0);
    const total = v.slice(0, 8).reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}
