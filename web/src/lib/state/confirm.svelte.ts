/** Questions a destructive control asks before it is sent; the dialog turns them into words. */
export type ConfirmRequest =
  | { kind: 'stop-critical'; worker: string }
  | { kind: 'stop-dependents'; worker: string; dependents: string[] }
  | { kind: 'dry-run-off'; retentionDays: number; jobRetentionDays: number }
  | { kind: 'cancel-job'; job: string }
  | { kind: 'remove-job'; job: string }
  | { kind: 'remove-source'; location: string; playlists: number }
  | { kind: 'disconnect-spotify'; account: string }
  /** `followed`: the artist is followed on Spotify, so it comes back while it is followed. */
  | { kind: 'unwatch-artist'; artist: string; followed: boolean };

/** At most one open question; asking a new one answers the previous with "no". */
class ConfirmState {
  request = $state<ConfirmRequest | null>(null);
  #resolve: ((confirmed: boolean) => void) | null = null;

  ask(request: ConfirmRequest): Promise<boolean> {
    this.#resolve?.(false);
    this.request = request;
    return new Promise((resolve) => {
      this.#resolve = resolve;
    });
  }

  answer(confirmed: boolean): void {
    const resolve = this.#resolve;
    this.#resolve = null;
    this.request = null;
    resolve?.(confirmed);
  }
}

export const confirmation = new ConfirmState();
