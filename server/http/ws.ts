import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { maskError } from 'graphql-yoga';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import { sharedSubscribe } from '../graphql/shared-subscribe.js';
import type { ServerContext, Yoga } from './yoga.js';

interface EnvelopedArgs extends ExecutionArgs {
  rootValue: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  };
}

interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

/** Ping every 12 s; a client that does not answer within the next 12 s is dropped. */
const KEEP_ALIVE_MS = 12_000;

/**
 * graphql-ws on the server's one port, at yoga's endpoint. Each operation goes through yoga's
 * envelop (parse, validate with graphql-armor, context, masked errors), like HTTP and SSE.
 *
 * The socket adapter is graphql-ws's `makeServer` on `ws`, like graphql-ws/use/ws, except that
 * `send` does not wait for each write's callback: with one event going to a thousand
 * subscribers, a callback and a promise per message is measurable (bench/fanout.ts), and `ws`
 * keeps the order of writes on a socket anyway.
 */
export function attachGraphQLWs(server: Server, yoga: Yoga, opts: { isDev: boolean }): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint, handleProtocols });
  const mask = (e: GraphQLError): GraphQLError => maskError(e, 'Unexpected error.', opts.isDev) as GraphQLError;
  const gqlServer = makeServer<Record<string, unknown> | undefined, Extra>({
    execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
    // Subscriptions take the shared execution directly: envelop's per-subscriber wrapper of the
    // result stream (for its onSubscribeResult hooks) costs more per event than the execution
    // itself at a thousand subscribers (bench/fanout.ts --profile). The one such hook Roadie
    // has, error masking, is applied below in onNext / onError with yoga's own maskError.
    subscribe: (args) => sharedSubscribe(args) as never,
    // Returning the (shared, read-only) result spares graphql-ws a copy of it per subscriber.
    onNext: (_ctx, _id, _payload, _args, result) =>
      result.errors ? { ...result, errors: result.errors.map((e) => mask(e as GraphQLError)) } : result,
    onError: (_ctx, _id, _payload, errors) => errors.map(mask),
    onSubscribe: async (ctx, _id, params) => {
      const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
        ...ctx,
        req: ctx.extra.request,
        socket: ctx.extra.socket,
        params,
      } as unknown as ServerContext);
      // parse and graphql-armor's rules throw GraphQLErrors: answer this operation with them
      // (as yoga does over HTTP) instead of letting graphql-ws close the socket with 4500.
      let document: ExecutionArgs['document'];
      try {
        document = parse(params.query);
        const errors = validate(schema, document);
        if (errors.length) return errors;
      } catch (err) {
        if (err instanceof GraphQLError) return [err];
        throw err;
      }
      const args: EnvelopedArgs = {
        schema,
        operationName: params.operationName,
        document,
        variableValues: params.variables,
        contextValue: await contextFactory(),
        rootValue: { execute, subscribe },
      };
      return args;
    },
  });

  wss.on('connection', (socket, request) => {
    let alive = true;
    socket.on('pong', () => (alive = true));
    const ping = setInterval(() => {
      if (!alive) return socket.terminate();
      alive = false;
      socket.ping();
    }, KEEP_ALIVE_MS);
    ping.unref();

    const closed = gqlServer.opened(
      {
        protocol: socket.protocol,
        send: (data) => {
          if (socket.readyState === socket.OPEN) socket.send(data);
        },
        close: (code, reason) => socket.close(code, reason),
        onMessage: (cb) =>
          socket.on('message', (data) => {
            cb(String(data)).catch(() => socket.close(CloseCode.InternalServerError, 'Internal server error'));
          }),
      },
      { socket, request },
    );
    socket.once('error', () => socket.close(CloseCode.InternalServerError, 'Internal server error'));
    socket.once('close', (code, reason) => {
      clearInterval(ping);
      void closed(code, String(reason));
    });
  });

  return {
    close: async () => {
      for (const client of wss.clients) client.close(1001, 'Going away');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
