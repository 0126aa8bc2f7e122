import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import fs from 'node:fs';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';
import type { Yoga } from './yoga.js';

export interface Probes {
  /** Process up. */
  health(): { status: 'ok'; uptimeSeconds: number };
  /** Database reachable and every required daemon running. */
  ready(): Promise<{ ready: boolean; database: boolean; unhealthyDaemons: readonly string[] }>;
}

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
  res.end(JSON.stringify(body));
}

/** A plain HTTP route beside GraphQL (an OAuth callback …), by exact path. */
export type Route = (req: IncomingMessage, res: ServerResponse, url: URL) => void;

/** One HTTP server: /graphql (yoga), /healthz, /readyz, extra routes, and the built SPA everywhere else. */
export function createHttpServer(yoga: Yoga, probes: Probes, spaDir: string, routes: Readonly<Record<string, Route>> = {}): Server {
  const spa = fs.existsSync(spaDir) ? sirv(spaDir, { single: true, etag: true, gzip: false }) : null;
  return createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === yoga.graphqlEndpoint || path?.startsWith(`${yoga.graphqlEndpoint}/`)) {
      void yoga(req, res, { req, res });
      return;
    }
    if (path === '/healthz') return json(res, 200, probes.health());
    if (path === '/readyz') {
      probes.ready().then(
        (r) => json(res, r.ready ? 200 : 503, r),
        (err: unknown) => json(res, 503, { ready: false, error: String(err) }),
      );
      return;
    }
    const route = path === undefined ? undefined : routes[path];
    if (route) return route(req, res, new URL(req.url ?? '/', 'http://roadie.invalid'));
    if (spa) {
      spa(req, res, () => json(res, 404, { error: 'not found' }));
      return;
    }
    res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8' });
    res.end('The web app is not built: run `npm run build:web`. GraphQL is at /graphql.');
  });
}

export function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}
