/**
 * Baseline (2): stock graphql-yoga + graphql-ws (yoga's documented recipe), no optimisation.
 * Same subscription shape as Roadie; pauseWorker/resumeWorker publish one fresh event object through
 * yoga's createPubSub. With BENCH_SHARED=1 it also installs Roadie's useSharedSubscriptions()
 * (an informational row: the plugin's effect on an otherwise stock server).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createPubSub, createSchema, createYoga, type Plugin } from 'graphql-yoga';
import type { ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import { DAEMON_STATUS_QUERY, parseTemplate, runServerChild, toggleTriggers, toggledWorker, type WorkerData } from './lib/common.js';

await runServerChild(async () => {
  const template = parseTemplate();
  const shared = process.env.BENCH_SHARED === '1';
  const pubsub = createPubSub<{ daemonStatus: [name: string, payload: { worker: WorkerData }] }>();
  const workers = new Map<string, WorkerData>([['cleanup', toggledWorker(template, true)]]);

  const setWorker = (name: string, on: boolean): WorkerData => {
    const worker = toggledWorker(template, on);
    workers.set(name, worker);
    pubsub.publish('daemonStatus', name, { worker });
    return worker;
  };

  const schema = createSchema({
    typeDefs: /* GraphQL */ `
      enum DaemonState { REGISTERED STARTING RUNNING PAUSED STOPPING STOPPED FAILED }
      enum DaemonStatus { IDLE ACTIVE ERROR STOPPED }
      type Activity { message: String! updatedAt: String! }
      type Worker { name: String! state: DaemonState! status: DaemonStatus! activity: Activity }
      type DaemonStatusEvent { worker: Worker! }
      type Query { worker(name: String!): Worker }
      type Mutation { resumeWorker(name: String!): Worker! pauseWorker(name: String!): Worker! }
      type Subscription { daemonStatus(name: String!): DaemonStatusEvent! }
    `,
    resolvers: {
      Query: { worker: (_: unknown, { name }: { name: string }) => workers.get(name) ?? null },
      Mutation: {
        resumeWorker: (_: unknown, { name }: { name: string }) => setWorker(name, true),
        pauseWorker: (_: unknown, { name }: { name: string }) => setWorker(name, false),
      },
      Subscription: {
        daemonStatus: {
          // The current snapshot first, then every change.
          subscribe: async function* (_: unknown, { name }: { name: string }) {
            const worker = workers.get(name);
            if (worker) yield { worker };
            yield* pubsub.subscribe('daemonStatus', name);
          },
          resolve: (payload: { worker: WorkerData }) => payload,
        },
      },
    },
  });

  const plugins: Plugin[] = [];
  if (shared) {
    const { useSharedSubscriptions } = await import('../server/graphql/shared-subscribe.js');
    plugins.push(useSharedSubscriptions());
  }
  const yoga = createYoga({ schema, plugins, logging: false, graphiql: false, landingPage: false });
  const server = http.createServer(yoga);
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });

  type EnvelopedArgs = ExecutionArgs & { rootValue: { execute: (a: unknown) => unknown; subscribe: (a: unknown) => unknown } };
  const wsServer = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const { schema: s, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req: ctx.extra.request,
          socket: ctx.extra.socket,
          params,
        });
        const args = {
          schema: s,
          operationName: params.operationName,
          document: parse(params.query),
          variableValues: params.variables,
          contextValue: await contextFactory(),
          rootValue: { execute, subscribe },
        };
        const errors = validate(args.schema, args.document);
        if (errors.length) return errors;
        return args;
      },
    },
    wss,
  );

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const mutation = (on: boolean) =>
    JSON.stringify({ query: `mutation { ${on ? 'resumeWorker' : 'pauseWorker'}(name: "cleanup") { __typename } }` });
  return {
    ready: {
      httpUrl: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}${yoga.graphqlEndpoint}`,
      protocol: 'graphql-ws',
      query: DAEMON_STATUS_QUERY,
      triggers: toggleTriggers(yoga.graphqlEndpoint, mutation),
      notes: shared ? ['useSharedSubscriptions() installed'] : [],
    },
    stop: async () => {
      await wsServer.dispose();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
});
