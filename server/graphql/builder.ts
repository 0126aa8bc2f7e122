import SchemaBuilder from '@pothos/core';
import RelayPlugin from '@pothos/plugin-relay';
import type { GraphQLContext } from './context.js';

/** The schema builder: plugins, scalars and context only; types live in types/<domain>.ts. */
export const builder = new SchemaBuilder<{
  Context: GraphQLContext;
  DefaultFieldNullability: false;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
  };
}>({
  plugins: [RelayPlugin],
  defaultFieldNullability: false,
  relay: {
    clientMutationId: 'omit',
    cursorType: 'String',
    nodesQueryOptions: false,
  },
});

builder.scalarType('DateTime', {
  description: 'An instant as an ISO 8601 string in UTC, e.g. 2026-11-23T10:00:00.000Z',
  serialize: (value) => value.toISOString(),
  parseValue: (value) => {
    const d = new Date(String(value));
    if (Number.isNaN(d.getTime())) throw new TypeError('DateTime must be an ISO 8601 string');
    return d;
  },
});

builder.queryType({});
builder.mutationType({});
builder.subscriptionType({});

/** Typed errors returned in result unions implement this. */
export const ErrorInterface = builder.interfaceRef<{ message: string }>('Error').implement({
  description: 'A problem a client can act on, returned as data rather than a top-level error.',
  fields: (t) => ({ message: t.exposeString('message') }),
});
