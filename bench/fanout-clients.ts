/**
 * The client harness of the fan-out benchmark, in its own process. It holds N sockets per target
 * (raw ws for the bare server, a minimal graphql-transport-ws client for the GraphQL servers: the
 * same code and the same per-message work for every target), triggers each round with an HTTP
 * POST and measures, with process.hrtime in this one process, the time from just before the
 * trigger until every socket has received the event.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { FromClient, TargetRounds, TargetSpec, ToClient } from './lib/common.js';

const send = (m: FromClient) => process.send!(m);

interface Target {
  spec: TargetSpec;
  sockets: WebSocket[];
  agent: http.Agent;
  /** Per socket: 1 once it has this round's event. */
  got: Uint8Array;
  count: number;
  armed: boolean;
  expect: Buffer;
  /** Messages received on any socket of this target (for the quiet wait). */
  messages: number;
  eventBytes: number;
  sampleEvent: string;
  t0: bigint;
  tFirst: bigint;
  onAll: (() => void) | null;
  triggerIndex: number;
}

const targets = new Map<string, Target>();

const CONNECT_CONCURRENCY = 50;
const TRIGGER_ALONE_ROUNDS = 20;
const PARSE_EACH = process.env.BENCH_CLIENT_PARSE === '1';

function connectOne(t: Target, index: number): Promise<void> {
  const { spec } = t;
  return new Promise<void>((resolve, reject) => {
    const ws =
      spec.protocol === 'graphql-ws'
        ? new WebSocket(spec.wsUrl, 'graphql-transport-ws', { perMessageDeflate: false })
        : new WebSocket(spec.wsUrl, { perMessageDeflate: false });
    const id = randomUUID();
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`socket ${index} of ${spec.name}: no snapshot within 20 s`)), 20_000);
    ws.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    ws.on('open', () => {
      if (spec.protocol === 'graphql-ws') ws.send('{"type":"connection_init"}');
    });
    // One handler for the whole life of the socket; after the handshake its work per message is
    // the same for every target: count, and check the event text once per round.
    ws.on('message', (data: Buffer) => {
      if (ready) {
        t.messages++;
        // BENCH_CLIENT_PARSE=1: decode every message as graphql-ws's createClient does (same for all targets).
        if (PARSE_EACH && (JSON.parse(data.toString('utf8')) as { type?: string }).type !== 'next') return;
        if (t.armed && t.got[index] === 0 && data.includes(t.expect)) {
          t.got[index] = 1;
          if (t.count === 0) {
            t.tFirst = process.hrtime.bigint();
            t.eventBytes = data.length;
            t.sampleEvent = data.toString('utf8');
          }
          if (++t.count === t.got.length) t.onAll?.();
        }
        return;
      }
      const text = data.toString('utf8');
      const msg = JSON.parse(text) as { type?: string; id?: string; payload?: unknown };
      if (spec.protocol === 'raw') {
        ready = true; // the bare server's snapshot
      } else if (msg.type === 'connection_ack') {
        ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query: spec.query } }));
        return;
      } else if (msg.type === 'next' && msg.id === id) {
        ready = true; // the subscription's snapshot
      } else if (msg.type === 'error' || msg.type === 'complete') {
        clearTimeout(timer);
        reject(new Error(`${spec.name}: subscription failed: ${text}`));
        return;
      } else {
        return;
      }
      clearTimeout(timer);
      if (index === 0) snapshot = text;
      resolve();
    });
    t.sockets[index] = ws;
  });
}

let snapshot = '';

/** Registers a target and times its trigger on its own (no subscriber yet). */
async function prepare(spec: TargetSpec, count: number): Promise<void> {
  const t: Target = {
    spec,
    sockets: new Array<WebSocket>(count),
    agent: new http.Agent({ keepAlive: true, maxSockets: 1 }),
    got: new Uint8Array(count),
    count: 0,
    armed: false,
    expect: Buffer.alloc(0),
    messages: 0,
    eventBytes: 0,
    sampleEvent: '',
    t0: 0n,
    tFirst: 0n,
    onAll: null,
    triggerIndex: 0,
  };
  targets.set(spec.name, t);
  // An even number of rounds, so the toggle ends where it began.
  const alone: number[] = [];
  for (let i = 0; i < TRIGGER_ALONE_ROUNDS; i++) {
    const trig = spec.triggers[i % spec.triggers.length]!;
    const t0 = process.hrtime.bigint();
    const r = await post(t, trig.path, trig.body);
    alone.push(Number(r.at - t0));
    if (r.status !== 200 || r.text.includes('"errors"')) throw new Error(`${spec.name}: trigger answered ${r.status}: ${r.text}`);
  }
  alone.sort((a, b) => a - b);
  send({ ev: 'prepared', name: spec.name, triggerAloneMedianMs: alone[Math.floor(alone.length / 2)]! / 1e6 });
}

async function connect(name: string): Promise<void> {
  const t = targets.get(name);
  if (!t) throw new Error(`unknown target ${name}`);
  const count = t.got.length;
  snapshot = '';
  const started = process.hrtime.bigint();
  let next = 0;
  const worker = async () => {
    while (next < count) await connectOne(t, next++);
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, count) }, worker));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  send({ ev: 'connected', name, ms, snapshotBytes: Buffer.byteLength(snapshot), snapshot });
}

function post(t: Target, path: string, body: string): Promise<{ status: number; text: string; at: bigint }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${t.spec.httpUrl}${path}`,
      {
        method: 'POST',
        agent: t.agent,
        headers: { 'content-type': 'application/json', accept: 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), at: process.hrtime.bigint() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until no message arrived on the target's sockets for `quietMs` (at most 3 s). */
async function quiet(t: Target, quietMs: number): Promise<void> {
  const deadline = Date.now() + 3000;
  let seen = t.messages;
  for (;;) {
    await sleep(quietMs);
    if (t.messages === seen || Date.now() > deadline) return;
    seen = t.messages;
  }
}

interface RoundResult {
  ns: number;
  firstNs: number;
  responseNs: number;
  messages: number;
  cpuUs: number;
  failure?: string;
}

async function round(t: Target, quietMs: number, settleMs: number, timeoutMs: number): Promise<RoundResult> {
  const trig = t.spec.triggers[t.triggerIndex++ % t.spec.triggers.length]!;
  t.expect = Buffer.from(trig.expect);
  t.got.fill(0);
  t.count = 0;
  const messagesBefore = t.messages;
  const cpu0 = process.cpuUsage();
  let timer: NodeJS.Timeout | undefined;
  const all = new Promise<'all' | 'timeout'>((resolve) => {
    t.onAll = () => resolve('all');
    timer = setTimeout(() => resolve('timeout'), timeoutMs);
  });
  t.armed = true;
  const t0 = process.hrtime.bigint();
  t.t0 = t0;
  const response = post(t, trig.path, trig.body);
  const outcome = await all;
  const tAll = process.hrtime.bigint();
  clearTimeout(timer);
  t.armed = false;
  t.onAll = null;
  let failure: string | undefined;
  let responseNs = 0;
  try {
    const r = await response;
    responseNs = Number(r.at - t0);
    if (r.status !== 200 || r.text.includes('"errors"')) failure = `trigger answered ${r.status}: ${r.text.slice(0, 300)}`;
  } catch (error) {
    failure = `trigger failed: ${(error as Error).message}`;
  }
  if (outcome === 'timeout') failure = `only ${t.count}/${t.got.length} sockets had the event after ${timeoutMs} ms`;
  await quiet(t, quietMs);
  const cpu = process.cpuUsage(cpu0);
  // The GraphQL servers keep working after the last message (write callbacks, re-arming 1,000
  // iterators, GC): let that finish before the next round, which may be another server's.
  await sleep(settleMs);
  return {
    ns: Number(tAll - t0),
    firstNs: Number(t.tFirst - t0),
    responseNs,
    messages: t.messages - messagesBefore,
    cpuUs: cpu.user + cpu.system,
    ...(failure ? { failure } : {}),
  };
}

async function run(names: string[], warmup: number, rounds: number, quietMs: number, settleMs: number, timeoutMs: number): Promise<void> {
  const list = names.map((n) => {
    const t = targets.get(n);
    if (!t) throw new Error(`unknown target ${n}`);
    return t;
  });
  const byTarget: Record<string, TargetRounds> = {};
  for (const t of list) {
    byTarget[t.spec.name] = {
      samplesNs: [],
      firstNs: [],
      responseNs: [],
      messagesPerRound: [],
      clientCpuUs: [],
      failures: [],
      eventBytes: 0,
      sampleEvent: '',
    };
  }
  const cpuRun0 = process.cpuUsage();
  for (let r = 0; r < warmup + rounds; r++) {
    // Interleaved, with the order rotated every round, so drift and noise hit all targets alike.
    for (let k = 0; k < list.length; k++) {
      const t = list[(r + k) % list.length]!;
      const res = await round(t, quietMs, settleMs, timeoutMs);
      const out = byTarget[t.spec.name]!;
      if (res.failure) out.failures.push(`round ${r}: ${res.failure}`);
      if (r < warmup) continue;
      if (!res.failure) {
        out.samplesNs.push(res.ns);
        out.firstNs.push(res.firstNs);
        out.responseNs.push(res.responseNs);
      }
      out.messagesPerRound.push(res.messages);
      out.clientCpuUs.push(res.cpuUs);
      out.eventBytes = t.eventBytes;
      out.sampleEvent = t.sampleEvent;
    }
    if ((r + 1) % 10 === 0) send({ ev: 'progress', text: `round ${r + 1}/${warmup + rounds}` });
  }
  const cpuRun = process.cpuUsage(cpuRun0);
  send({ ev: 'results', byTarget, clientCpuUs: cpuRun.user + cpuRun.system });
}

process.on('message', (msg: ToClient) => {
  const handle = async () => {
    if (msg.cmd === 'prepare') await prepare(msg.target, msg.count);
    else if (msg.cmd === 'connect') await connect(msg.name);
    else if (msg.cmd === 'run') await run(msg.names, msg.warmup, msg.rounds, msg.quietMs, msg.settleMs, msg.timeoutMs);
    else if (msg.cmd === 'close') {
      for (const t of targets.values()) {
        for (const ws of t.sockets) ws?.terminate();
        t.agent.destroy();
      }
      send({ ev: 'closed' });
      process.disconnect?.();
      process.exit(0);
    }
  };
  handle().catch((error: unknown) => send({ ev: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }));
});
process.on('disconnect', () => process.exit(0));
