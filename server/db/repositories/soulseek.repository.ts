import type { EntityManager } from '@mikro-orm/sqlite';
import { statementsOf, type Statements } from '../statements.js';

export interface SoulseekTransferView {
  readonly songId: number;
  readonly username: string;
  readonly filename: string;
  readonly size: number;
  readonly transferId: string | null;
  readonly state: string;
  readonly bytesTransferred: number;
  readonly averageSpeed: number;
  readonly errorCode: string | null;
  readonly error: string | null;
  readonly updatedAt: Date;
}

interface Row {
  song_id: number;
  username: string;
  filename: string;
  size: number;
  transfer_id: string | null;
  state: string;
  bytes_transferred: number;
  average_speed: number;
  error_code: string | null;
  error: string | null;
  updated_at: number;
}

const COLUMNS = 'song_id, username, filename, size, transfer_id, state, bytes_transferred, average_speed, error_code, error, updated_at';
const view = (r: Row): SoulseekTransferView => ({
  songId: r.song_id,
  username: r.username,
  filename: r.filename,
  size: r.size,
  transferId: r.transfer_id,
  state: r.state,
  bytesTransferred: r.bytes_transferred,
  averageSpeed: r.average_speed,
  errorCode: r.error_code,
  error: r.error,
  updatedAt: new Date(r.updated_at),
});

/** The Soulseek transfer chosen for each song; every change is one statement. */
export class SoulseekRepository {
  private readonly sql: Statements;

  constructor(em: EntityManager) {
    this.sql = statementsOf(em.getConnection().getKnex());
  }

  async get(songId: number): Promise<SoulseekTransferView | null> {
    const [row] = await this.sql.all<Row>(`select ${COLUMNS} from soulseek_transfers where song_id = ?`, [songId]);
    return row ? view(row) : null;
  }

  /** Transfers not finished yet (no error, not succeeded), oldest first. */
  async open(): Promise<SoulseekTransferView[]> {
    const rows = await this.sql.all<Row>(`select ${COLUMNS} from soulseek_transfers where error_code is null and state not like 'Completed%' order by created_at`);
    return rows.map(view);
  }

  /** The transfer chosen for a song (replacing one that failed). */
  async chose(t: { songId: number; username: string; filename: string; size: number; transferId: string | null; state: string }, now = new Date()): Promise<void> {
    await this.sql.run(
      `insert into soulseek_transfers (song_id, username, filename, size, transfer_id, state, bytes_transferred, average_speed, error_code, error, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, 0, 0, null, null, ?, ?)
       on conflict (song_id) do update set username = excluded.username, filename = excluded.filename, size = excluded.size,
         transfer_id = excluded.transfer_id, state = excluded.state, bytes_transferred = 0, average_speed = 0, error_code = null, error = null,
         created_at = excluded.created_at, updated_at = excluded.updated_at`,
      [t.songId, t.username, t.filename, t.size, t.transferId, t.state, now.getTime(), now.getTime()],
    );
  }

  /** What slskd says of the transfer now; only while it is the song's chosen one. */
  async progressed(
    songId: number,
    filename: string,
    s: { transferId: string; state: string; bytesTransferred: number; averageSpeed: number; errorCode: string | null; error: string | null },
    now = new Date(),
  ): Promise<boolean> {
    const changed = await this.sql.run(
      `update soulseek_transfers set transfer_id = ?, state = ?, bytes_transferred = ?, average_speed = ?, error_code = ?, error = ?, updated_at = ?
        where song_id = ? and filename = ?`,
      [s.transferId, s.state, s.bytesTransferred, Math.round(s.averageSpeed), s.errorCode, s.error === null ? null : s.error.slice(0, 500), now.getTime(), songId, filename],
    );
    return changed === 1;
  }

  /** The song is filed: its transfer is no longer needed. */
  async done(songId: number): Promise<void> {
    await this.sql.run(`delete from soulseek_transfers where song_id = ?`, [songId]);
  }
}
