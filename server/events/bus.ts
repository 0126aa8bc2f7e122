import type { Topics } from './topics.js';

/** How far a subscriber may fall behind before its stream ends with an error. */
export const MAX_QUEUED_EVENTS = 1024;

export class SubscriberOverflowError extends Error {
  override name = 'SubscriberOverflowError';
}

/**
 * One subscriber's stream: a queue fed by the bus. It listens from the moment it is created,
 * and return() ends it at once (also while a next() is waiting).
 */
class LiveStream<T> implements MappableStream<T> {
  private readonly queue: T[] = [];
  private waiting: { resolve: (r: IteratorResult<T>) => void; reject: (e: unknown) => void } | null = null;
  private failure: unknown = null;
  private finished = false;
  /** Set by mapped(): applied as each value is handed out, in the same step (no extra promise). */
  private map: ((value: T) => unknown) | null = null;
  /** Set by pushTo(): values go to it as they are published instead of to a reader. */
  private sink: PushSink<unknown> | null = null;
  /** The last delivery still waiting for an asynchronous mapping (pushTo keeps the order). */
  private pending: Promise<void> | null = null;

  constructor(private readonly detach: () => void) {}

  /**
   * This stream with `fn` applied to each value as it is handed to the waiting reader: one
   * promise per event instead of one more per mapping step (a subscription's execution, for a
   * thousand subscribers). A throwing `fn` ends the stream with its error.
   */
  mapped<R>(fn: (value: T) => R | Promise<R>): MappableStream<R> {
    this.map = fn as (value: T) => unknown;
    return this as unknown as MappableStream<R>;
  }

  pushTo(sink: PushSink<T>): void {
    this.sink = sink as PushSink<unknown>;
    for (const value of this.queue.splice(0)) this.deliver(value);
    if (this.finished) this.endSink();
  }

  push(value: T): void {
    if (this.finished) return;
    if (this.sink) {
      this.deliver(value);
    } else if (this.waiting) {
      const w = this.waiting;
      this.waiting = null;
      this.settle(value, w.resolve, w.reject);
    } else if (this.queue.length < MAX_QUEUED_EVENTS) {
      this.queue.push(value);
    } else {
      this.failure = new SubscriberOverflowError(`subscriber fell more than ${MAX_QUEUED_EVENTS} events behind`);
      this.end();
    }
  }

  next(): Promise<IteratorResult<T>> {
    if (this.queue.length > 0) {
      const value = this.queue.shift() as T;
      if (this.map === null) return Promise.resolve({ value, done: false });
      return new Promise((resolve, reject) => this.settle(value, resolve, reject));
    }
    if (this.failure !== null) {
      const e = this.failure;
      this.failure = null;
      return Promise.reject(e);
    }
    if (this.finished) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<T>> {
    this.queue.length = 0;
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  private settle(value: T, resolve: (r: IteratorResult<T>) => void, reject: (e: unknown) => void): void {
    if (this.map === null) return resolve({ value, done: false });
    let out: unknown;
    try {
      out = this.map(value);
    } catch (err) {
      this.end();
      return reject(err);
    }
    if (typeof (out as { then?: unknown } | null)?.then === 'function') {
      (out as Promise<T>).then(
        (v) => resolve({ value: v, done: false }),
        (err: unknown) => {
          this.end();
          reject(err);
        },
      );
    } else {
      resolve({ value: out as T, done: false });
    }
  }

  /** Push mode: maps the value and hands it to the sink, after any earlier one still mapping. */
  private deliver(value: T): void {
    const sink = this.sink as PushSink<unknown>;
    let out: unknown = value;
    if (this.map !== null) {
      try {
        out = this.map(value);
      } catch (err) {
        return this.fail(err);
      }
    }
    if (this.pending === null && typeof (out as { then?: unknown } | null)?.then !== 'function') {
      sink.next(out);
      return;
    }
    // a rejection waiting behind an earlier delivery is handled below; mark it handled now
    if (typeof (out as { catch?: unknown } | null)?.catch === 'function') (out as Promise<unknown>).catch(() => undefined);
    const delivered: Promise<void> = (this.pending ?? Promise.resolve())
      .then(() => out)
      .then(
        (v) => {
          if (!this.finished) sink.next(v);
        },
        (err: unknown) => this.fail(err),
      )
      .finally(() => {
        if (this.pending === delivered) this.pending = null;
      });
    this.pending = delivered;
  }

  private fail(err: unknown): void {
    if (this.finished) return;
    this.failure = err;
    this.end();
  }

  private endSink(): void {
    const sink = this.sink as PushSink<unknown>;
    if (this.failure !== null) {
      const e = this.failure;
      this.failure = null;
      sink.error(e);
    } else {
      sink.complete();
    }
  }

  private end(): void {
    if (this.finished) return;
    this.finished = true;
    this.detach();
    if (this.sink) return this.endSink();
    const w = this.waiting;
    this.waiting = null;
    if (!w) return;
    if (this.failure !== null) {
      w.reject(this.failure);
      this.failure = null;
    } else {
      w.resolve({ value: undefined, done: true });
    }
  }
}

/** Where a stream in push mode hands its values, then its end. */
export interface PushSink<T> {
  next(value: T): void;
  error(err: unknown): void;
  complete(): void;
}

/**
 * A subscriber's stream. Read it as an async iterator, or hand it a sink with pushTo(): then
 * each value goes to the sink synchronously as it is published (in order, also when the mapping
 * is asynchronous), values queued before are flushed first, and return() detaches it. Push mode
 * spares the promise hops per event and subscriber that a reader's loop costs (bench/fanout.ts).
 */
export interface MappableStream<T> extends AsyncIterableIterator<T> {
  /** This stream with `fn` applied to each value as it is handed out; a throwing `fn` ends it with its error. */
  mapped<R>(fn: (value: T) => R | Promise<R>): MappableStream<R>;
  /** Push mode (see above); call it once, and no longer call next(). */
  pushTo(sink: PushSink<T>): void;
}

export function isMappable<T>(stream: AsyncIterable<T>): stream is MappableStream<T> {
  return typeof (stream as Partial<MappableStream<T>>).mapped === 'function';
}

export type Topic = keyof Topics;

export interface EventBus {
  /** Publishes to the topic's subscribers and, with a key, to those of that key only. */
  publish<K extends Topic>(topic: K, payload: Topics[K], key?: string): void;
  /** A stream of the topic's events (only those published with `key`, when given), listening at once. */
  subscribe<K extends Topic>(topic: K, key?: string): MappableStream<Topics[K]>;
}

interface Channel {
  readonly subscribers: Set<LiveStream<unknown>>;
  readonly listener: (event: Event) => void;
}

const channelName = (topic: string, key?: string): string => (key === undefined ? topic : `${topic}\u0000${key}`);

/**
 * The typed event bus. One listener per channel on an EventTarget (in-process by default; an
 * EventTarget shared between processes, e.g. @graphql-yoga/redis-event-target, carries the
 * same channels) fans each event out to small per-subscriber queues.
 */
export function createEventBus(eventTarget: EventTarget = new EventTarget()): EventBus {
  const channels = new Map<string, Channel>();

  return {
    publish(topic, payload, key) {
      eventTarget.dispatchEvent(new CustomEvent(channelName(topic), { detail: payload }));
      if (key !== undefined) eventTarget.dispatchEvent(new CustomEvent(channelName(topic, key), { detail: payload }));
    },
    subscribe<K extends Topic>(topic: K, key?: string) {
      const name = channelName(topic, key);
      let channel = channels.get(name);
      if (!channel) {
        const subscribers = new Set<LiveStream<unknown>>();
        const listener = (event: Event): void => {
          const detail = (event as CustomEvent<unknown>).detail;
          for (const s of subscribers) s.push(detail);
        };
        channel = { subscribers, listener };
        channels.set(name, channel);
        eventTarget.addEventListener(name, listener);
      }
      const ch = channel;
      const stream: LiveStream<unknown> = new LiveStream(() => {
        ch.subscribers.delete(stream);
        if (ch.subscribers.size === 0) {
          eventTarget.removeEventListener(name, ch.listener);
          channels.delete(name);
        }
      });
      ch.subscribers.add(stream);
      return stream as LiveStream<Topics[K]>;
    },
  };
}
