import { EventCollector } from './events.js';
import type { LiveSubscription } from './ws.js';

export interface SseOptions {
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
}

/**
 * Subscribes over yoga's SSE transport (a request to /graphql with `accept: text/event-stream`)
 * and collects the `data` of every `next` event. Resolves once the response headers arrived
 * (status 200 and an event-stream content type, or it rejects with what came instead).
 */
export async function subscribeSse<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables?: Record<string, unknown>,
  opts: SseOptions = {},
): Promise<LiveSubscription<T>> {
  const abort = new AbortController();
  const method = opts.method ?? 'POST';
  const target = new URL(`${url}/graphql`);
  const init: RequestInit = { method, signal: abort.signal, headers: { accept: 'text/event-stream', ...opts.headers } };
  if (method === 'GET') {
    target.searchParams.set('query', query);
    if (variables) target.searchParams.set('variables', JSON.stringify(variables));
  } else {
    init.headers = { ...(init.headers as Record<string, string>), 'content-type': 'application/json' };
    init.body = JSON.stringify({ query, variables });
  }
  const res = await fetch(target, init);
  const type = res.headers.get('content-type') ?? '';
  if (res.status !== 200 || !type.startsWith('text/event-stream')) {
    const body = await res.text();
    throw new Error(`SSE request answered ${res.status} ${type}: ${body.slice(0, 300)}`);
  }
  const collector = new EventCollector<T>(`sse ${query.replace(/\s+/g, ' ').slice(0, 60)}`) as LiveSubscription<T>;
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const pump = (async () => {
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += value;
      let sep: number;
      while ((sep = buffer.search(/\r?\n\r?\n/)) >= 0) {
        const block = buffer.slice(0, sep);
        buffer = buffer.slice(sep).replace(/^\r?\n\r?\n/, '');
        handleBlock(block);
      }
    }
    collector.end();
  })().catch((err: unknown) => collector.end(err));

  function handleBlock(block: string): void {
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split(/\r?\n/)) {
      if (line.startsWith(':')) continue; // keep-alive comment
      if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (event === 'complete') return collector.end();
    if (data.length === 0) return;
    const result = JSON.parse(data.join('\n')) as { data?: T; errors?: { message: string }[] };
    if (result.errors?.length) collector.end(new Error(`GraphQL errors: ${result.errors.map((e) => e.message).join('; ')}`));
    else collector.push(result.data as T);
  }

  collector.close = async () => {
    abort.abort();
    await pump;
  };
  return collector;
}
