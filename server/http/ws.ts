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

/** A subscription result's JSON, computed once for all the subscribers it goes to. */
const serialized = new WeakMap<object, string>();
/** Stands for the payload in an envelope until `send`; a string no GraphQL result serializes to. */
const PAYLOAD_TOKEN = '\u0000roadie:payload\u0000';
const PAYLOAD_TOKEN_JSON = JSON.stringify(PAYLOAD_TOKEN);
/** The payload JSON of the message whose envelope is being sent. */
let pendingPayload: string | null = null;

/**
 * Puts the shared JSON where the envelope has the token. The payload is the envelope's last
 * field (graphql-ws writes id, type, payload), so the last occurrence is the one: a client's id
 * that happens to spell the token cannot take its place.
 */
function withPayload(data: string): string {
  const json = pendingPayload;
  pendingPayload = null;
  if (json === null) return data;
  const at = data.lastIndexOf(PAYLOAD_TOKEN_JSON);
  return at < 0 ? data : data.slice(0, at) + json + data.slice(at + PAYLOAD_TOKEN_JSON.length);
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
    onNext: (_ctx, _id, _payload, _args, result) => {
      const out = result.errors ? { ...result, errors: result.errors.map((e) => mask(e as GraphQLError)) } : result;
      if (!serialized.has(out)) serialized.set(out, JSON.stringify(out));
      return out;
    },
    // The shared result is serialized once (above); each subscriber's envelope carries a token
    // in its place that `send` swaps for that JSON, instead of serializing it a thousand times.
    // (graphql-ws calls send with the envelope right after serializing it, synchronously.)
    jsonMessageReplacer: (key, value: unknown) => {
      if (key !== 'payload' || typeof value !== 'object' || value === null) return value;
      const json = serialized.get(value);
      if (json === undefined) return value;
      pendingPayload = json;
      return PAYLOAD_TOKEN;
    },
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
          if (socket.readyState === socket.OPEN) socket.send(withPayload(data));
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
