import type { IncomingMessage, Server } from 'node:http';
import { GraphQLError, type ExecutionArgs, type ExecutionResult } from 'graphql';
import { maskError } from 'graphql-yoga';
import { CloseCode, handleProtocols, makeServer } from 'graphql-ws';
import { WebSocketServer, type WebSocket } from 'ws';
import type { MappableStream } from '../events/bus.js';
import { sharedSubscribe } from '../graphql/shared-subscribe.js';
import type { ServerContext, Yoga } from './yoga.js';

interface EnvelopedArgs extends ExecutionArgs {
  rootValue: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
    /** Where a pushed subscription's results go (see pushedToSocket). */
    deliver: { socket: WebSocket; id: string };
  };
}

interface Extra {
  readonly socket: WebSocket;
  readonly request: IncomingMessage;
}

const DONE: IteratorReturnResult<undefined> = { value: undefined, done: true };

/**
 * What one socket may have queued and not yet sent (a client that stopped reading, a stalled
 * network): beyond it the socket is closed with 1013 (try again later) instead of growing the
 * server's memory. A graphql-ws client reconnects by itself and its subscriptions start again
 * from a fresh snapshot, so a slow reader loses stale events, not state.
 */
export const MAX_SOCKET_BUFFERED_BYTES = 16 << 20;
export const SLOW_READER_CLOSE = { code: 1013, reason: 'Too slow: messages were piling up; reconnect' } as const;

/** Sends on an open socket unless its backlog is over MAX_SOCKET_BUFFERED_BYTES; then closes it. */
function sendOrShed(socket: WebSocket, data: string): void {
  if (socket.readyState !== socket.OPEN) return;
  if (socket.bufferedAmount > MAX_SOCKET_BUFFERED_BYTES) {
    socket.close(SLOW_READER_CLOSE.code, SLOW_READER_CLOSE.reason);
    return;
  }
  socket.send(data);
}

/**
 * A subscription whose stream can push (the event bus's, see server/events/bus.ts) is delivered
 * here, not by graphql-ws's loop: each result is written to the socket as the event is
 * published, as a `next` message built around the result's JSON (serialized once for all its
 * subscribers by `json`). graphql-ws gets a generator whose one next() settles when the stream
 * ends (then it sends `complete`, or `error` when the stream failed), and whose return() (the
 * client's `complete`, or the socket closing) detaches the stream. Pushing starts at that first
 * next(), that is once graphql-ws has registered the operation.
 *
 * Why: graphql-ws's loop takes about four promise hops per event and subscriber, and walks every
 * subscriber's chain before the first write; with a thousand subscribers that was most of the
 * gap to a bare broadcast (bench/fanout.ts).
 */
function pushedToSocket(
  stream: MappableStream<ExecutionResult>,
  target: EnvelopedArgs['rootValue']['deliver'],
  json: (result: ExecutionResult) => string,
): AsyncGenerator<ExecutionResult, void, void> {
  const { socket, id } = target;
  const head = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  let resolveEnd!: (r: IteratorReturnResult<undefined>) => void;
  let rejectEnd!: (err: unknown) => void;
  const ended = new Promise<IteratorReturnResult<undefined>>((resolve, reject) => {
    resolveEnd = resolve;
    rejectEnd = reject;
  });
  let started = false;
  const generator: AsyncGenerator<ExecutionResult, void, void> = {
    next() {
      if (!started) {
        started = true;
        stream.pushTo({
          next: (result) => sendOrShed(socket, `${head}${json(result)}}`),
          error: rejectEnd,
          complete: () => resolveEnd(DONE),
        });
      }
      return ended;
    },
    async return() {
      await stream.return?.();
      resolveEnd(DONE);
      return DONE;
    },
    async throw(err: unknown) {
      await stream.return?.();
      throw err;
    },
    [Symbol.asyncIterator]() {
      return generator;
    },
  };
  return generator;
}

const isPushable = (value: unknown): value is MappableStream<ExecutionResult> =>
  typeof (value as Partial<MappableStream<unknown>> | null)?.pushTo === 'function';

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
  const masked = (result: ExecutionResult): ExecutionResult =>
    result.errors ? { ...result, errors: result.errors.map((e) => mask(e as GraphQLError)) } : result;
  /** A shared result's JSON (errors masked), computed once for all the subscribers it goes to. */
  const serialized = new WeakMap<ExecutionResult, string>();
  const json = (result: ExecutionResult): string => {
    let text = serialized.get(result);
    if (text === undefined) {
      text = JSON.stringify(masked(result));
      serialized.set(result, text);
    }
    return text;
  };
  const gqlServer = makeServer<Record<string, unknown> | undefined, Extra>({
    execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
    // Subscriptions take the shared execution directly: envelop's per-subscriber wrapper of the
    // result stream (for its onSubscribeResult hooks) costs more per event than the execution
    // itself at a thousand subscribers (bench/fanout.ts --profile). The one such hook Roadie
    // has, error masking, is applied here with yoga's own maskError (in `json`, onNext, onError).
    // Streams that can push go straight to the socket (pushedToSocket).
    subscribe: async (args) => {
      const result = await sharedSubscribe(args);
      return (isPushable(result) ? pushedToSocket(result, (args as EnvelopedArgs).rootValue.deliver, json) : result) as never;
    },
    onNext: (_ctx, _id, _payload, _args, result) => masked(result),
    onError: (_ctx, _id, _payload, errors) => errors.map(mask),
    onSubscribe: async (ctx, id, params) => {
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
        rootValue: { execute, subscribe, deliver: { socket: ctx.extra.socket, id } },
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
        send: (data) => sendOrShed(socket, data),
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
