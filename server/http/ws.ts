import type { Server } from 'node:http';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import { useServer } from 'graphql-ws/use/ws';
import { WebSocketServer } from 'ws';
import type { ServerContext, Yoga } from './yoga.js';

interface EnvelopedArgs extends ExecutionArgs {
  rootValue: {
    execute: (args: ExecutionArgs) => unknown;
    subscribe: (args: ExecutionArgs) => unknown;
  };
}

/**
 * graphql-ws on the server's one port, at yoga's endpoint. Each operation goes through yoga's
 * envelop (parse, validate with graphql-armor, context, masked errors), like HTTP and SSE.
 */
export function attachGraphQLWs(server: Server, yoga: Yoga): { close(): Promise<void> } {
  const wss = new WebSocketServer({ server, path: yoga.graphqlEndpoint });
  const disposable = useServer(
    {
      execute: (args) => (args as EnvelopedArgs).rootValue.execute(args) as never,
      subscribe: (args) => (args as EnvelopedArgs).rootValue.subscribe(args) as never,
      onSubscribe: async (ctx, _id, params) => {
        const req = ctx.extra.request;
        const { schema, execute, subscribe, contextFactory, parse, validate } = yoga.getEnveloped({
          ...ctx,
          req,
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
    },
    wss,
  );
  return {
    close: async () => {
      await disposable.dispose();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
