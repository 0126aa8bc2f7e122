import type { SoulseekPort } from '../daemons/base.js';
import { pickTransfer } from '../integrations/slskd.js';
import { progressOf, type SoulseekBackend } from './soulseek.js';

/**
 * The Download Monitor's view of Soulseek: every open transfer is asked about in slskd and its
 * state, bytes and speed stored (one conditional write each), whether or not a download item is
 * following it right now (after a restart, the item finds the state the monitor kept). slskd
 * lists a user's downloads in one answer: one request per user, not per transfer.
 */
export function soulseekMonitor(backend: () => SoulseekBackend | null): SoulseekPort {
  return {
    async poll(signal) {
      const b = backend();
      if (!b) return null;
      const { client, transfers } = b;
      const open = await transfers.open();
      let queued = 0;
      let inProgress = 0;
      let bytesPerSecond = 0;
      let ended = 0;
      const byUser = new Map<string, typeof open>();
      for (const t of open) byUser.set(t.username, [...(byUser.get(t.username) ?? []), t]);
      for (const [username, mine] of byUser) {
        signal.throwIfAborted();
        const records = await client.downloads(username, signal);
        for (const t of mine) {
          const s = pickTransfer(records, t.filename, t.transferId);
          if (!s) continue; // not (yet) in slskd's list; the item decides what to do
          await transfers.progressed(t.songId, t.filename, progressOf(s));
          if (s.outcome.done) ended++;
          else if (s.outcome.phase === 'in_progress') {
            inProgress++;
            bytesPerSecond += s.averageSpeed;
          } else queued++;
        }
      }
      return { open: open.length, queued, inProgress, bytesPerSecond, ended };
    },
  };
}
