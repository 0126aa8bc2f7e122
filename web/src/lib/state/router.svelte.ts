/** The pages the SPA knows; everything else is "not here yet" (e.g. #/jobs/<id> for now). */
export type Route = { page: 'workers' } | { page: 'services' } | { page: 'not-found'; path: string };

export function parseHash(hash: string): Route {
  const path = hash.replace(/^#/, '') || '/';
  if (path === '/' || path === '/workers') return { page: 'workers' };
  if (path === '/services') return { page: 'services' };
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
