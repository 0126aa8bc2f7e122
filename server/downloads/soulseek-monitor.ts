import type { SoulseekPort } from '../daemons/base.js';
import type { SoulseekBackend } from './soulseek.js';

/**
 * The Download Monitor's view of Soulseek: every open transfer is asked about in slskd and its
 * state, bytes and speed stored (one conditional write each), whether or not a download item is
 * following it right now (after a restart, the item finds the state the monitor kept).
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
      for (const t of open) {
        signal.throwIfAborted();
        const s = await client.transfer(t.username, t.filename, { ...(t.transferId ? { id: t.transferId } : {}), signal });
        if (!s) continue; // not (yet) in slskd's list; the item decides what to do
        await transfers.progressed(t.songId, t.filename, {
          transferId: s.id,
          state: s.state,
          bytesTransferred: s.bytesTransferred,
          averageSpeed: s.averageSpeed,
          errorCode: s.outcome.phase === 'failed' ? s.outcome.errorCode : null,
          error: s.outcome.phase === 'failed' ? s.outcome.reason : null,
        });
        if (s.outcome.done) ended++;
        else if (s.outcome.phase === 'in_progress') {
          inProgress++;
          bytesPerSecond += s.averageSpeed;
        } else queued++;
      }
      return { open: open.length, queued, inProgress, bytesPerSecond, ended };
    },
  };
}
