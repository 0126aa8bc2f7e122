/**
 * Baseline (1): a bare `ws` server. POST /trigger flips the daemon and broadcasts one JSON string
 * (the same bytes graphql-ws would send for that event) to every socket. Each socket gets the
 * current snapshot when it connects, as the GraphQL servers send one when a subscription starts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { BARE_MESSAGE_ID, nextMessage, parseTemplate, runServerChild, toggleTriggers, toggledWorker } from './lib/common.js';

await runServerChild(async () => {
  const template = parseTemplate();
  let on = true;
  let current = nextMessage(BARE_MESSAGE_ID, { daemonStatus: { worker: toggledWorker(template, on) } });

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST' || req.url !== '/trigger') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const { on: next } = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { on: boolean };
      on = next;
      current = nextMessage(BARE_MESSAGE_ID, { daemonStatus: { worker: toggledWorker(template, on) } });
      for (const socket of wss.clients) socket.send(current);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  const wss = new WebSocketServer({ server, path: '/graphql' });
  wss.on('connection', (socket) => socket.send(current));

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    ready: {
      httpUrl: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}/graphql`,
      protocol: 'raw',
      triggers: toggleTriggers('/trigger', (o) => JSON.stringify({ on: o })),
    },
    stop: async () => {
      for (const socket of wss.clients) socket.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
