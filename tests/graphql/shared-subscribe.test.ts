import { describe, it, expect } from 'vitest';
import {
  GraphQLError,
  GraphQLInt,
  GraphQLNonNull,
  GraphQLObjectType,
  GraphQLSchema,
  GraphQLString,
  parse,
  subscribe as graphqlSubscribe,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import { createPubSub, createYoga } from 'graphql-yoga';
import { sharedSubscribe, useSharedSubscriptions } from '../../server/graphql/shared-subscribe.js';

interface Event {
  name: string;
  value: number;
}

/** A tiny schema: `tick(topic)` streams events, `label` counts how often it is resolved. */
function makeSchema() {
  const pubsub = createPubSub<{ tick: [topic: string, payload: Event] }>();
  const calls = { label: 0 };
  const Tick = new GraphQLObjectType({
    name: 'Tick',
    fields: {
      name: { type: new GraphQLNonNull(GraphQLString) },
      value: { type: new GraphQLNonNull(GraphQLInt) },
      label: {
        type: new GraphQLNonNull(GraphQLString),
        args: { prefix: { type: GraphQLString } },
        resolve: (ev: Event, args: { prefix?: string | null }) => {
          calls.label += 1;
          return `${args.prefix ?? ''}${ev.name}=${ev.value}`;
        },
      },
      broken: {
        type: GraphQLString,
        resolve: () => {
          throw new Error('field failed');
        },
      },
    },
  });
  const schema = new GraphQLSchema({
    query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLString, resolve: () => 'ok' } } }),
    subscription: new GraphQLObjectType({
      name: 'Subscription',
      fields: {
        tick: {
          type: new GraphQLNonNull(Tick),
          args: { topic: { type: new GraphQLNonNull(GraphQLString) } },
          subscribe: (_root: unknown, args: { topic: string }) => pubsub.subscribe('tick', args.topic),
          resolve: (ev: unknown) => ev,
        },
        failsGraphQL: {
          type: GraphQLString,
          subscribe: () => {
            throw new GraphQLError('no access');
          },
        },
        failsPlain: {
          type: GraphQLString,
          subscribe: () => {
            throw new Error('plain failure');
          },
        },
        notAStream: {
          type: GraphQLString,
          subscribe: () => 42 as unknown as AsyncIterable<unknown>,
        },
        explodes: {
          type: GraphQLString,
          subscribe: () => explodingStream(),
          resolve: (v: unknown) => v,
        },
      },
    }),
  });
  return { schema, pubsub, calls };
}

/** Yields one value, then its next() rejects. */
async function* explodingStream(): AsyncGenerator<string> {
  yield 'first';
  throw new Error('source broke');
}

type Stream = AsyncGenerator<ExecutionResult, void, void>;

async function start(args: ExecutionArgs): Promise<Stream> {
  const result = await sharedSubscribe(args);
  if (!(Symbol.asyncIterator in result)) throw new Error(`expected a stream, got ${JSON.stringify(result)}`);
  return result as Stream;
}

/** Lets the lazily started pubsub repeaters register their listeners. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

async function nextValue(p: Promise<IteratorResult<ExecutionResult, void>>): Promise<ExecutionResult> {
  const step = await p;
  if (step.done) throw new Error('stream ended');
  return step.value;
}

const TICK = parse('subscription Ticks($p: String) { tick(topic: "a") { name value label(prefix: $p) } }');

describe('sharedSubscribe', () => {
  it('executes one event once for all subscribers of the same operation', async () => {
    const { schema, pubsub, calls } = makeSchema();
    const subs = await Promise.all([1, 2, 3].map(() => start({ schema, document: TICK, contextValue: {} })));
    const pending = subs.map((s) => s.next());
    await settle();
    pubsub.publish('tick', 'a', { name: 'a', value: 1 });
    const results = await Promise.all(pending.map(nextValue));
    expect(calls.label).toBe(1);
    expect(results[0]).toEqual({ data: { tick: { name: 'a', value: 1, label: 'a=1' } } });
    expect(results[1]).toBe(results[0]);
    expect(results[2]).toBe(results[0]);

    // A second event is a new object: executed once more, again shared.
    const second = subs.map((s) => s.next());
    pubsub.publish('tick', 'a', { name: 'a', value: 2 });
    const results2 = await Promise.all(second.map(nextValue));
    expect(calls.label).toBe(2);
    expect(results2.map((r) => r.data)).toEqual(Array(3).fill({ tick: { name: 'a', value: 2, label: 'a=2' } }));
    await Promise.all(subs.map((s) => s.return()));
  });

  it('gives the same result as graphql subscribe for the same event', async () => {
    const { schema, pubsub } = makeSchema();
    const ours = await start({ schema, document: TICK, variableValues: { p: '>' } });
    const theirs = (await graphqlSubscribe({ schema, document: TICK, variableValues: { p: '>' } })) as Stream;
    const a = ours.next();
    const b = theirs.next();
    await settle();
    pubsub.publish('tick', 'a', { name: 'a', value: 7 });
    expect(await nextValue(a)).toEqual(await nextValue(b));
    await ours.return();
    await theirs.return();
  });

  it('executes separately for different variables, documents, operation scopes and payload objects', async () => {
    const { schema, pubsub, calls } = makeSchema();
    const sameText = parse('subscription Ticks($p: String) { tick(topic: "a") { name value label(prefix: $p) } }');
    const other: DocumentNode = parse('subscription { tick(topic: "a") { label } }');
    const subs = await Promise.all([
      start({ schema, document: TICK, variableValues: { p: 'x' } }),
      start({ schema, document: TICK, variableValues: { p: 'x' } }), // shares with the first
      start({ schema, document: TICK, variableValues: { p: 'y' } }),
      start({ schema, document: sameText, variableValues: { p: 'x' } }), // another document object
      start({ schema, document: other }),
      start({ schema, document: TICK, variableValues: { p: 'x' }, contextValue: { subscriptionCacheScope: 'user:2' } }),
    ]);
    const pending = subs.map((s) => s.next());
    await settle();
    pubsub.publish('tick', 'a', { name: 'a', value: 1 });
    const r = await Promise.all(pending.map(nextValue));
    expect(calls.label).toBe(5);
    expect(r[1]).toBe(r[0]);
    expect(r[2]).not.toBe(r[0]);
    expect(r[2]!.data).toEqual({ tick: { name: 'a', value: 1, label: 'ya=1' } });
    expect(r[3]).not.toBe(r[0]);
    expect(r[3]).toEqual(r[0]);
    expect(r[4]!.data).toEqual({ tick: { label: 'a=1' } });
    expect(r[5]).not.toBe(r[0]);
    expect(r[5]).toEqual(r[0]);

    // Equal content in distinct objects (e.g. per-subscriber snapshots) is not shared.
    const again = subs.slice(0, 2).map((s) => s.next());
    pubsub.publish('tick', 'a', { name: 'a', value: 1 });
    const [x, y] = await Promise.all(again.map(nextValue));
    expect(calls.label).toBe(6);
    expect(x).toBe(y);
    expect(x).not.toBe(r[0]);
    await Promise.all(subs.map((s) => s.return()));
  });

  it('stops the source when the subscriber returns', async () => {
    const { schema, pubsub } = makeSchema();
    const sub = await start({ schema, document: TICK });
    const first = sub.next();
    await settle();
    pubsub.publish('tick', 'a', { name: 'a', value: 1 });
    await nextValue(first);
    expect(await sub.return()).toEqual({ value: undefined, done: true });
    expect(await sub.next()).toEqual({ value: undefined, done: true });
  });

  it('returns on abort of args.signal', async () => {
    const { schema } = makeSchema();
    const controller = new AbortController();
    const sub = await start({ schema, document: TICK, signal: controller.signal } as ExecutionArgs);
    const pending = sub.next();
    controller.abort();
    expect(await pending).toEqual({ value: undefined, done: true });
  });
});

describe('sharedSubscribe errors behave like graphql subscribe', () => {
  async function both(args: ExecutionArgs) {
    const settleOf = async (fn: () => Promise<unknown>) => {
      try {
        return { ok: await fn() };
      } catch (error) {
        return { thrown: (error as Error).message };
      }
    };
    const ours = await settleOf(() => sharedSubscribe(args));
    const theirs = await settleOf(() => graphqlSubscribe(args));
    return { ours, theirs };
  }

  it('request errors come back as a result', async () => {
    const { schema } = makeSchema();
    const { ours, theirs } = await both({ schema, document: TICK, operationName: 'Nope' });
    expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(theirs)));
    expect((ours.ok as ExecutionResult).errors?.[0]?.message).toMatch(/Unknown operation named "Nope"/);
  });

  it('errors thrown by the subscribe resolver come back as a located result', async () => {
    const { schema } = makeSchema();
    for (const field of ['failsGraphQL', 'failsPlain']) {
      const { ours, theirs } = await both({ schema, document: parse(`subscription { ${field} }`) });
      expect(JSON.parse(JSON.stringify(ours))).toEqual(JSON.parse(JSON.stringify(theirs)));
      expect((ours.ok as ExecutionResult).errors?.[0]?.path).toEqual([field]);
    }
  });

  it('a subscribe resolver that returns no stream rejects', async () => {
    const { schema } = makeSchema();
    const { ours, theirs } = await both({ schema, document: parse('subscription { notAStream }') });
    expect(ours).toEqual(theirs);
    expect(ours.thrown).toMatch(/must return Async Iterable/);
  });

  it('invalid arguments throw', async () => {
    const { ours, theirs } = await both({ schema: {} as GraphQLSchema, document: TICK });
    expect(ours.thrown).toBeDefined();
    expect(ours).toEqual(theirs);
  });

  it('field errors during an event are in that event result', async () => {
    const { schema, pubsub } = makeSchema();
    const doc = parse('subscription { tick(topic: "a") { name broken } }');
    const ours = await start({ schema, document: doc });
    const theirs = (await graphqlSubscribe({ schema, document: doc })) as Stream;
    const a = ours.next();
    const b = theirs.next();
    await settle();
    pubsub.publish('tick', 'a', { name: 'a', value: 1 });
    const [ra, rb] = [await nextValue(a), await nextValue(b)];
    expect(JSON.parse(JSON.stringify(ra))).toEqual(JSON.parse(JSON.stringify(rb)));
    expect(ra.errors?.[0]?.message).toBe('field failed');
    expect(ra.data).toEqual({ tick: { name: 'a', broken: null } });
    await ours.return();
    await theirs.return();
  });

  it('an error thrown by the source stream is rethrown from next()', async () => {
    const { schema } = makeSchema();
    const doc = parse('subscription { explodes }');
    for (const sub of [await start({ schema, document: doc }), (await graphqlSubscribe({ schema, document: doc })) as Stream]) {
      expect(await nextValue(sub.next())).toEqual({ data: { explodes: 'first' } });
      await expect(sub.next()).rejects.toThrow('source broke');
    }
  });
});

describe('useSharedSubscriptions in yoga', () => {
  it('replaces the subscribe of yoga.getEnveloped() and keeps error masking', async () => {
    const { schema, pubsub, calls } = makeSchema();
    const yoga = createYoga({ schema, plugins: [useSharedSubscriptions()], logging: false });
    const subscribeOnce = async (query: string) => {
      const env = yoga.getEnveloped({});
      const document = env.parse(query);
      expect(env.validate(env.schema, document)).toEqual([]);
      return env.subscribe({ schema: env.schema, document, contextValue: await env.contextFactory() });
    };
    const query = 'subscription { tick(topic: "a") { label broken } }';
    const subs = (await Promise.all([subscribeOnce(query), subscribeOnce(query)])) as Stream[];
    const pending = subs.map((s) => s.next());
    await settle();
    pubsub.publish('tick', 'a', { name: 'a', value: 3 });
    const [r1, r2] = await Promise.all(pending.map(nextValue));
    expect(calls.label).toBe(1);
    expect(r1!.data).toEqual({ tick: { label: 'a=3', broken: null } });
    expect(r2!.data).toEqual(r1!.data);
    // yoga masks unexpected errors per subscriber; the shared result itself is not changed.
    expect(r1!.errors?.[0]?.message).toBe('Unexpected error.');
    expect(r2!.errors?.[0]?.message).toBe('Unexpected error.');
    await Promise.all(subs.map((s) => s.return()));
  });
});
