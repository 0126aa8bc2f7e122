import {
  createSourceEventStream,
  execute,
  type DocumentNode,
  type ExecutionArgs,
  type ExecutionResult,
} from 'graphql';
import type { Plugin } from 'graphql-yoga';
import { isMappable, type MappableStream } from '../events/bus.js';

/**
 * Shared execution of subscription events.
 *
 * graphql's own `subscribe` runs the whole selection set once per event *per subscriber*: with
 * 1,000 dashboards watching a daemon, one status change is resolved 1,000 times into 1,000
 * identical results. This plugin swaps the engine's `subscribe` for a graphql-16-compatible one
 * (built from `createSourceEventStream`, like graphql's) whose per-event step is memoized:
 *
 *   (payload object identity) × (document object) × operationName × JSON(variableValues)
 *     × `contextValue.subscriptionCacheScope` (optional string)
 *
 * so a published event object is executed once per distinct operation and the same
 * `ExecutionResult` object is handed to every subscriber of that operation. Events that are
 * distinct objects (for example the snapshot each subscriber gets first) are executed
 * individually, exactly as before.
 *
 * Contract for the code that publishes events (server/events/*):
 * - publish a fresh object per event and never mutate it afterwards: identity is the cache key;
 * - the shared execution runs with the context of the first subscriber that pulls the event, so
 *   subscription resolvers must not depend on per-connection context, or the context must carry
 *   a `subscriptionCacheScope` string that differs wherever results may differ (e.g. per user);
 * - consumers must treat the result as read-only (envelop's masked-errors plugin copies before it
 *   changes anything, graphql-ws and yoga's SSE processor only serialize it).
 *
 * Documents are compared by object identity: yoga's parser cache returns the same DocumentNode for
 * the same query text, so identical subscriptions from different clients share one entry.
 *
 * Errors behave as with graphql's `subscribe`: request errors and GraphQLErrors thrown by the
 * subscribe resolver come back as an `ExecutionResult` (no stream), other errors thrown while
 * creating the stream reject, field errors during an event are in the event's result, and an
 * error thrown by the source stream (or by the event's execution) closes the source and is
 * rethrown from `next()`.
 */

type MaybePromise<T> = T | Promise<T>;
type EventResult = MaybePromise<ExecutionResult>;

/** payload → document → "operationName, scope, variables" → result (one per distinct operation). */
type PerPayload = WeakMap<DocumentNode, Map<string, EventResult>>;

const SEP = '\u0000';

/** Context field that splits the cache when results may differ between subscribers. */
export interface SubscriptionCacheScopeContext {
  subscriptionCacheScope?: string;
}

function cacheKeyOf(args: ExecutionArgs): string {
  const ctx = args.contextValue as SubscriptionCacheScopeContext | null | undefined;
  const scope = ctx != null && typeof ctx.subscriptionCacheScope === 'string' ? ctx.subscriptionCacheScope : '';
  const vars = args.variableValues == null ? '' : JSON.stringify(args.variableValues);
  return `${args.operationName ?? ''}${SEP}${scope}${SEP}${vars}`;
}

/**
 * The memo table. One module-level WeakMap is enough: entries live exactly as long as the
 * payload object, so nothing has to be cleared when subscribers come and go.
 */
const memo = new WeakMap<object, PerPayload>();

function executeShared(args: ExecutionArgs, key: string, payload: unknown): EventResult {
  if (payload === null || (typeof payload !== 'object' && typeof payload !== 'function')) {
    // A primitive cannot key a WeakMap; such events are executed per subscriber.
    return execute({ ...args, rootValue: payload });
  }
  let perPayload = memo.get(payload);
  if (perPayload === undefined) {
    perPayload = new WeakMap();
    memo.set(payload, perPayload);
  }
  let perDocument = perPayload.get(args.document);
  if (perDocument === undefined) {
    perDocument = new Map();
    perPayload.set(args.document, perDocument);
  }
  let result = perDocument.get(key);
  if (result === undefined) {
    result = execute({ ...args, rootValue: payload });
    perDocument.set(key, result);
  }
  return result;
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return value != null && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === 'function';
}

function isPromiseLike<T>(value: MaybePromise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown })?.then === 'function';
}

/**
 * Maps the source stream to results like graphql 16's mapAsyncIterator, with one fewer promise
 * hop per event when the (shared) result is already there.
 */
function mapSourceToResponse(
  source: AsyncIterable<unknown>,
  toResult: (payload: unknown) => EventResult,
  signal: AbortSignal | undefined,
): AsyncGenerator<ExecutionResult, void, void> {
  const iterator = source[Symbol.asyncIterator]();

  async function returnIgnoringErrors(): Promise<void> {
    if (typeof iterator.return === 'function') {
      try {
        await iterator.return();
      } catch {
        // Keep the original error when closing the source also fails.
      }
    }
  }

  async function fail(error: unknown): Promise<never> {
    await returnIgnoringErrors();
    throw error;
  }

  function mapStep(step: IteratorResult<unknown>): MaybePromise<IteratorResult<ExecutionResult, void>> {
    if (step.done) return step as IteratorReturnResult<void>;
    let value: EventResult;
    try {
      value = toResult(step.value);
    } catch (error) {
      return fail(error);
    }
    if (isPromiseLike(value)) {
      return value.then((v) => ({ value: v, done: false as const }), fail);
    }
    return { value, done: false };
  }

  const mapped: AsyncGenerator<ExecutionResult, void, void> = {
    next() {
      return Promise.resolve(iterator.next()).then(mapStep);
    },
    async return() {
      signal?.removeEventListener('abort', onAbort);
      if (typeof iterator.return === 'function') return mapStep(await iterator.return());
      return { value: undefined, done: true };
    },
    async throw(error: unknown) {
      if (typeof iterator.throw === 'function') return mapStep(await iterator.throw(error));
      return fail(error);
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  } as AsyncGenerator<ExecutionResult, void, void>;

  function onAbort(): void {
    void mapped.return().catch(() => undefined);
  }
  if (signal) {
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  return mapped;
}

/**
 * A drop-in for graphql 16's `subscribe(args)` whose per-event execution is shared between
 * subscribers of the same operation (see the module comment).
 */
export async function sharedSubscribe(
  args: ExecutionArgs & { signal?: AbortSignal },
): Promise<AsyncGenerator<ExecutionResult, void, void> | ExecutionResult> {
  const resultOrStream = await createSourceEventStream(args);
  if (!isAsyncIterable(resultOrStream)) return resultOrStream as ExecutionResult;
  // Computed once per subscription, not per event.
  const key = cacheKeyOf(args);
  const toResult = (payload: unknown): EventResult => executeShared(args, key, payload);
  // Roadie's own streams apply the execution as they hand an event out (one promise per event
  // and subscriber instead of two); any other source goes through the generic mapping.
  if (isMappable(resultOrStream as AsyncIterable<unknown>)) {
    const stream = (resultOrStream as MappableStream<unknown>).mapped(toResult) as AsyncGenerator<ExecutionResult, void, void>;
    const signal = args.signal;
    if (signal) {
      const onAbort = (): void => void stream.return?.(undefined)?.catch(() => undefined);
      if (signal.aborted) onAbort();
      else signal.addEventListener('abort', onAbort, { once: true });
    }
    return stream;
  }
  return mapSourceToResponse(resultOrStream, toResult, args.signal);
}

/**
 * Envelop/yoga plugin: replaces the engine's `subscribe` with `sharedSubscribe`. Add it to
 * createYoga's `plugins`; yoga registers its own engine first, so this one wins. graphql-ws
 * (through `yoga.getEnveloped().subscribe`) and SSE both go through it.
 */
export function useSharedSubscriptions(): Plugin {
  return {
    onSubscribe({ setSubscribeFn }) {
      setSubscribeFn(sharedSubscribe as Parameters<typeof setSubscribeFn>[0]);
    },
  };
}
