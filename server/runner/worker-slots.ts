import type { JobStore, WorkerSnapshot } from './store.js';

/** The live state of one worker slot, kept in memory and written at a bounded rate. */
export type WorkerSlot = WorkerSnapshot;

/**
 * Worker slots' live state (busy / idle, current item, bytes, speed, counts). Changes are
 * kept in memory and written together, at most once per `writeMs`, in one statement for all
 * dirty slots: a slot that goes through hundreds of items a second does not write hundreds of
 * rows. flush() writes at once (a stage or job ends, the runner stops).
 */
export class WorkerSlots {
  private readonly slots = new Map<string, WorkerSlot>();
  private readonly dirty = new Set<WorkerSlot>();
  private timer: NodeJS.Timeout | null = null;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<JobStore, 'saveWorkers'>,
    private readonly writeMs: number,
    /** Called with the jobs whose slots were just written. */
    private readonly onWritten: (jobIds: ReadonlySet<number>) => void,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** The slot of a job (created idle on first use). */
  slot(jobId: number, workerName: string, stageId: number | null): WorkerSlot {
    const key = `${jobId}/${workerName}`;
    let s = this.slots.get(key);
    if (!s) {
      s = {
        jobId,
        workerName,
        stageId,
        status: 'idle',
        currentItemId: null,
        currentDisplayText: null,
        heartbeatAt: null,
        downloadedBytes: 0,
        totalBytes: null,
        speedBytesPerSec: null,
        progressPercent: null,
        processedDelta: 0,
        errorDelta: 0,
      };
      this.slots.set(key, s);
    }
    s.stageId = stageId;
    this.touch(s);
    return s;
  }

  /** Marks a slot changed; it is written within writeMs. */
  touch(slot: WorkerSlot): void {
    this.dirty.add(slot);
    this.timer ??= setTimeout(() => {
      this.timer = null;
      void this.flush();
    }, this.writeMs);
  }

  /** Copies of a job's slots as they are now, by name. */
  ofJob(jobId: number): WorkerSlot[] {
    return [...this.slots.values()].filter((s) => s.jobId === jobId).map((s) => ({ ...s }));
  }

  /** Forgets a job's slots after writing what is pending. */
  async release(jobId: number): Promise<void> {
    await this.flush();
    for (const [key, s] of this.slots) if (s.jobId === jobId) this.slots.delete(key);
  }

  /** Writes every changed slot now (one statement); resolves when written. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    this.writing = this.writing.then(() => this.write());
    return this.writing;
  }

  private async write(): Promise<void> {
    if (this.dirty.size === 0) return;
    const batch = [...this.dirty].map((s) => ({ ...s }));
    // the counts are deltas: what this write adds is no longer pending
    for (const s of this.dirty) {
      s.processedDelta = 0;
      s.errorDelta = 0;
    }
    this.dirty.clear();
    try {
      await this.store.saveWorkers(batch);
      this.onWritten(new Set(batch.map((s) => s.jobId)));
    } catch (err) {
      this.onError(err);
    }
  }
}
