import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The plumbing every fake service shares: an HTTP server on 127.0.0.1 and a free port, started
 * and stopped by the test. A handler that throws (or rejects) answers 500 with the error.
 */
export abstract class FakeServer {
  url = '';
  readonly #server = http.createServer((req, res) => {
    void Promise.resolve()
      .then(() => this.handle(req, res))
      .catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(String(err));
      });
  });

  /** Answers one request the way the service's documentation says. */
  protected abstract handle(req: http.IncomingMessage, res: http.ServerResponse): void | Promise<void>;

  async start(): Promise<this> {
    await new Promise<void>((r) => this.#server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.#server.closeAllConnections();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }
}
