import type { ClaimedItem, ClaimRequest, ItemEnd, JobStore } from './store.js';

interface PendingEnd {
  readonly end: ItemEnd;
  readonly resolve: (ended: boolean) => void;
  readonly reject: (err: unknown) => void;
}

interface PendingClaim {
  readonly stageId: number;
  readonly workerName: string;
  readonly count: number;
  readonly resolve: (items: ClaimedItem[]) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Funnels the item traffic of every worker slot of the runner into batched store calls: the
 * ends and claims asked for while one exchange is in flight (or within the same turn of the
 * event loop) go to the store together, as one transaction. A slot that finishes an item and
 * asks for the next one costs a fraction of a statement instead of several.
 */
export class ItemBroker {
  private ends: PendingEnd[] = [];
  private claims: PendingClaim[] = [];
  private busy = false;
  private scheduled = false;

  constructor(private readonly store: Pick<JobStore, 'exchangeItems'>) {}

  /** Ends a held item; resolves false when the slot no longer held it (nothing changed). */
  end(end: ItemEnd): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.ends.push({ end, resolve, reject });
      this.schedule();
    });
  }

  /** Up to `count` next due items of the stage for this slot (none when the stage has none left). */
  claim(stageId: number, workerName: string, count = 1): Promise<ClaimedItem[]> {
    return new Promise((resolve, reject) => {
      this.claims.push({ stageId, workerName, count: Math.max(1, count), resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.busy || this.scheduled) return;
    this.scheduled = true;
    // setImmediate: the slots that finish in this turn join the same exchange
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    if (this.busy) return;
    const ends = this.ends;
    const claims = this.claims;
    if (ends.length === 0 && claims.length === 0) return;
    this.ends = [];
    this.claims = [];
    this.busy = true;
    try {
      const requests = new Map<number, string[]>();
      for (const c of claims) {
        const names = requests.get(c.stageId) ?? [];
        for (let i = 0; i < c.count; i++) names.push(c.workerName); // the k-th item goes to the k-th name
        requests.set(c.stageId, names);
      }
      const asked: ClaimRequest[] = [...requests].map(([stageId, workerNames]) => ({ stageId, workerNames }));
      const { ended, claimed } = await this.store.exchangeItems(
        ends.map((e) => e.end),
        asked,
      );
      for (const e of ends) e.resolve(ended.has(e.end.itemId));
      const byWorker = new Map<string, ClaimedItem[]>();
      for (const item of claimed) {
        const key = `${item.stageId}/${item.workerName}`;
        byWorker.set(key, [...(byWorker.get(key) ?? []), item]);
      }
      for (const c of claims) c.resolve(byWorker.get(`${c.stageId}/${c.workerName}`) ?? []);
    } catch (err) {
      for (const e of ends) e.reject(err);
      for (const c of claims) c.reject(err);
    } finally {
      this.busy = false;
      if (this.ends.length > 0 || this.claims.length > 0) this.schedule();
    }
  }
}
