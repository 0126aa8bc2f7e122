/**
 * The pages the SPA knows; everything else is "not here yet". A job has no page of its own:
 * #/jobs/<id> opens the task center with that job expanded (`job` is a job number or a global ID).
 */
export type Route =
  | { page: 'workers' }
  | { page: 'services' }
  | { page: 'playlists' }
  | { page: 'automation' }
  | { page: 'settings' }
  | { page: 'tasks'; job: string | null }
  | { page: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/workers') return { page: 'workers' };
  if (path === '/services') return { page: 'services' };
  if (path === '/playlists') return { page: 'playlists' };
  if (path === '/automation') return { page: 'automation' };
  if (path === '/settings') return { page: 'settings' };
  if (path === '/tasks') return { page: 'tasks', job: null };
  const job = /^\/jobs\/([^/]+)$/.exec(path)?.[1];
  if (job) {
    try {
      return { page: 'tasks', job: decodeURIComponent(job) };
    } catch {
      // A malformed escape is no job id; fall through to "not here".
    }
  }
  return { page: 'not-found', path };
}

/** Hash routing: the server only has to serve index.html at /. */
class RouterState {
  #hash = $state(location.hash);
  route = $derived(parseHash(this.#hash));

  constructor() {
    window.addEventListener('hashchange', () => {
      this.#hash = location.hash;
    });
  }
}

export const router = new RouterState();

/** The address that opens the task center with this job (a job number or a global ID) expanded. */
export function jobHref(job: string | number): string {
  return `#/jobs/${encodeURIComponent(String(job))}`;
}
