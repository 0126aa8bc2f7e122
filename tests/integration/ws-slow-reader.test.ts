import { once } from 'node:events';
import type { Socket } from 'node:net';
import { expect, it, onTestFinished } from 'vitest';
import WebSocket from 'ws';
import { MAX_SOCKET_BUFFERED_BYTES, SLOW_READER_CLOSE } from '../../server/http/ws.js';
import { startTestApp } from '../helpers/app.js';

const SUBSCRIPTION = 'subscription { daemonStatus(name: "retry_scheduler") { worker { name activity { message } } } }';

/** A raw graphql-ws client subscribed to the retry scheduler's status; counts the test's events it reads (activity `<i>:xxx…`). */
async function subscriber(wsUrl: string): Promise<{ ws: WebSocket; nexts: () => number }> {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  let nexts = 0;
  let ack: () => void = () => {};
  const acked = new Promise<void>((resolve) => (ack = resolve));
  let first: () => void = () => {};
  const snapshot = new Promise<void>((resolve) => (first = resolve));
  ws.on('message', (data: Buffer) => {
    const m = JSON.parse(String(data)) as { type: string; payload?: { data?: { daemonStatus: { worker: { activity: { message: string } | null } } } } };
    if (m.type === 'connection_ack') ack();
    if (m.type === 'next') {
      if (/^\d+:x/.test(m.payload?.data?.daemonStatus.worker.activity?.message ?? '')) nexts++;
      first();
    }
  });
  await once(ws, 'open');
  ws.send(JSON.stringify({ type: 'connection_init' }));
  await acked;
  ws.send(JSON.stringify({ id: 's', type: 'subscribe', payload: { query: SUBSCRIPTION } }));
  await snapshot;
  return { ws, nexts: () => nexts };
}

it('closes a socket whose client stopped reading once its backlog passes the cap (1013), and keeps serving the others', async () => {
  const t = await startTestApp();
  onTestFinished(() => t.stop());
  const slow = await subscriber(t.wsUrl);
  const reader = await subscriber(t.wsUrl);
  onTestFinished(() => {
    slow.ws.terminate();
    reader.ws.close();
  });
  const slowClosed = new Promise<{ code: number; reason: string }>((resolve) => slow.ws.once('close', (code, reason) => resolve({ code, reason: String(reason) })));
  let readerClosed = false;
  reader.ws.once('close', () => (readerClosed = true));

  // the slow client stops reading its socket: the kernel's buffers fill, then the server's queue
  (slow.ws as unknown as { _socket: Socket })._socket.pause();
  const base = t.app.orchestrator.get('retry_scheduler');
  if (!base) throw new Error('no retry_scheduler daemon');
  const payload = 'x'.repeat(256 << 10);
  const events = Math.ceil((2 * MAX_SOCKET_BUFFERED_BYTES) / payload.length); // twice the cap: well past it
  for (let i = 0; i < events; i++) {
    t.app.bus.publish('daemon:changed', { ...base, activity: { message: `${i}:${payload}`, jobId: null, jobType: null, updatedAt: new Date() } }, 'retry_scheduler');
    await new Promise((r) => setImmediate(r)); // let the sockets write
    // the reading client keeps up however loaded the machine is: its backlog stays far below the cap
    while (reader.nexts() < i - 8) await new Promise((r) => setTimeout(r, 5));
  }
  (slow.ws as unknown as { _socket: Socket })._socket.resume();
  expect(await slowClosed).toEqual({ code: SLOW_READER_CLOSE.code, reason: SLOW_READER_CLOSE.reason });
  // it was cut short: fewer events than were published reached it
  expect(slow.nexts()).toBeLessThan(events);

  // the client that kept reading got every event and its socket stays open
  const until = Date.now() + 10_000;
  while (reader.nexts() < events && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  expect(reader.nexts()).toBe(events);
  expect(readerClosed).toBe(false);
});
