import { EnvelopArmorPlugin } from '@escape.tech/graphql-armor';
import { useCSRFPrevention } from '@graphql-yoga/plugin-csrf-prevention';
import { createYoga, type YogaServerInstance } from 'graphql-yoga';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AppServices, GraphQLContext } from '../graphql/context.js';
import { schema } from '../graphql/schema.js';
import { useSharedSubscriptions } from '../graphql/shared-subscribe.js';

export interface ServerContext {
  req: IncomingMessage;
  res: ServerResponse;
}

export type Yoga = YogaServerInstance<ServerContext, GraphQLContext>;

/** The client's address as the socket sees it (Roadie is not assumed to sit behind a proxy). */
export function clientAddress(req: IncomingMessage | undefined): string | null {
  return req?.socket.remoteAddress ?? null;
}

/**
 * yoga with hardening: graphql-armor limits (depth, cost, aliases, tokens, directives), masked
 * errors (details only in development) and CSRF prevention for browser form posts.
 */
export function createYogaServer(app: AppServices, opts: { isDev: boolean; logger: Logger }): Yoga {
  const armor = EnvelopArmorPlugin({
    maxDepth: { n: 12 },
    costLimit: { maxCost: 5000 },
    maxAliases: { n: 15 },
    maxTokens: { n: 2000 },
    maxDirectives: { n: 20 },
    blockFieldSuggestion: { enabled: !opts.isDev },
  });
  return createYoga<ServerContext, GraphQLContext>({
    schema,
    graphqlEndpoint: '/graphql',
    graphiql: { title: 'Roadie GraphiQL', subscriptionsProtocol: 'WS' },
    maskedErrors: { isDev: opts.isDev },
    landingPage: false,
    logging: {
      // yoga logs at debug several times per request: build the line only when it is kept
      debug: (...args) => {
        if (opts.logger.isLevelEnabled('debug')) opts.logger.debug(args.map(String).join(' '));
      },
      info: (...args) => opts.logger.info(args.map(String).join(' ')),
      warn: (...args) => opts.logger.warn(args.map(String).join(' ')),
      error: (...args) => opts.logger.error(args.map(String).join(' ')),
    },
    context: ({ req }) => ({ ...app, clientAddress: clientAddress(req) }),
    // One execution per published event and operation, shared by every subscriber of it.
    plugins: [armor, useCSRFPrevention({ requestHeaders: ['x-graphql-yoga-csrf'] }), useSharedSubscriptions()],
  });
}
